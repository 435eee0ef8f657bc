import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Secret } from '../evidence/secret.ts';
import {
  chooseTraceMethod,
  parseStraceLines,
  processRecord,
  processRecorder,
  type RawExec,
} from './process-trace.ts';
import { runProgram } from './program.ts';

const hex = (text: string) =>
  `"${[...Buffer.from(text)].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('')}"`;
const array = (items: string[]) => `[${items.map(hex).join(', ')}]`;
const text = (exec: RawExec) => ({
  pid: exec.pid,
  at: exec.at,
  path: exec.path,
  argv: exec.argv.map(String),
  env: exec.env.map(String),
});

describe('parseStraceLines', () => {
  it('reads successful execs, joins unfinished calls and skips failed PATH lookups', async () => {
    const tricky = 'Authorization: Bearer a"b], [c\\x';
    const lines = [
      `100 1700000000.250000 execve(${hex('/usr/bin/node')}, ${array(['node', 'cli.mjs'])}, ${array(['HOME=/h'])}) = 0`,
      `101 1700000001.000000 execve(${hex('/opt/bin/curl')}, ${array(['curl'])}, ${array([])}) = -1 ENOENT (No such file or directory)`,
      `101 1700000001.001000 execve(${hex('/usr/bin/curl')}, ${array(['curl', '-H', tricky])}, ${array(['A=1', 'B=2'])} <unfinished ...>`,
      '100 1700000001.002000 +++ exited with 0 +++',
      '101 1700000001.003000 <... execve resumed>) = 0',
      `102 1700000002.000000 execveat(AT_FDCWD, ${hex('/bin/true')}, ${array(['true'])}, ${array([])}, 0) = 0`,
      `103 1700000003.000000 execve(${hex('/bin/sh')}, ${hex('sh').slice(0, -1)}"..., ${array([])}) = 0`,
      'not a line of strace at all',
    ];
    const execs = await parseStraceLines(lines, (ms) => ms - 1_700_000_000_000);
    expect(execs.map(text)).toEqual([
      { pid: 100, at: 250, path: '/usr/bin/node', argv: ['node', 'cli.mjs'], env: ['HOME=/h'] },
      {
        pid: 101,
        at: 1001,
        path: '/usr/bin/curl',
        argv: ['curl', '-H', tricky],
        env: ['A=1', 'B=2'],
      },
      { pid: 102, at: 2000, path: '/bin/true', argv: ['true'], env: [] },
      // An argv strace could not read as an array: the exec is still a process started.
      { pid: 103, at: 3000, path: '/bin/sh', argv: [], env: [] },
    ]);
  });
});

describe('processRecord', () => {
  const token = new Secret('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZXZpY2Vib3VuZCJ9.sig-123456');
  const canaries = [{ kind: 'access_token' as const, secret: token }];

  it('names argument positions and variables, never values', () => {
    const value = token.reveal();
    const record = processRecord(
      'strace',
      {
        execs: [
          {
            pid: 7,
            at: 10.4,
            path: '/usr/bin/curl',
            argv: [Buffer.from('curl'), Buffer.from(`Authorization: Bearer ${value}`)],
            env: [
              Buffer.from(`TOKEN=${value}`),
              Buffer.from(`${Buffer.from(value).toString('base64')}=1`),
            ],
          },
        ],
        note: undefined,
      },
      canaries,
    );
    expect(record.started[0]).toMatchObject({ pid: 7, at: 10, name: 'curl', argc: 2, envc: 2 });
    expect(
      record.started[0]?.hits.map(({ where, index, variable, encoding }) => ({
        where,
        index,
        variable,
        encoding,
      })),
    ).toEqual([
      { where: 'argv', index: 1, variable: undefined, encoding: 'raw' },
      { where: 'env', index: undefined, variable: 'TOKEN', encoding: 'raw' },
      // In the variable's name: the name is not repeated.
      { where: 'env', index: undefined, variable: undefined, encoding: 'base64' },
    ]);
    expect(JSON.stringify(record)).not.toContain(value);
    expect(JSON.stringify(record)).not.toContain(Buffer.from(value).toString('base64'));
  });
});

describe('recorders on a real program', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'devicebound-trace-test-'));
  afterAll(() => rm(folder, { recursive: true, force: true }));
  const method = await chooseTraceMethod('auto');
  const hasStrace = method.method === 'strace';
  // A parent that starts /bin/true (alive about a millisecond) with a marker in its argv.
  const script =
    "require('node:child_process').spawnSync('/bin/true', ['--marker', 'x-devicebound-marker']);";

  async function record(chosen: Awaited<ReturnType<typeof chooseTraceMethod>>) {
    const traceFile = join(folder, `${chosen.method}.strace`);
    const recorder = processRecorder(chosen, { traceFile, clock: () => performance.now() });
    const result = await runProgram({
      command: recorder.command([process.execPath, '-e', script]),
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', DEVICEBOUND_RUN_ID: 'trace-test' },
      stdin: undefined,
      timeoutMs: 20_000,
      clock: () => performance.now(),
      onSpawn: ({ pgid, startTicks }) =>
        recorder.started({ runId: 'trace-test', pgid, startTicks }),
    });
    // The detached tracer ends once its tracees have.
    for (let i = 0; i < 100 && spawnSync('pgrep', ['-f', traceFile]).status === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const recorded = await recorder.finish();
    return { result, recorded };
  }

  it.skipIf(!hasStrace)(
    'strace records a child that lives a millisecond, and deletes its file',
    async () => {
      const { result, recorded } = await record(method);
      // -D: the program is the runner's own child; its exit code is its own.
      expect(result.exitCode).toBe(0);
      const names = recorded.execs.map((exec) => exec.path.split('/').at(-1));
      expect(names).toEqual(['node', 'true']);
      expect(recorded.execs[1]?.argv.map(String)).toEqual([
        '/bin/true',
        '--marker',
        'x-devicebound-marker',
      ]);
      expect(recorded.note).toBeUndefined();
      expect(await readdir(folder)).toEqual([]);
    },
  );

  it('sampling says the record may be partial', async () => {
    const { recorded } = await record(await chooseTraceMethod('sample'));
    expect(recorded.note).toMatch(/sampled from \/proc every 10 ms .* may be partial/);
  });

  it('off records nothing, and says so', async () => {
    const { recorded } = await record(await chooseTraceMethod('off'));
    expect(recorded).toEqual({
      execs: [],
      note: 'processes were not recorded (process recording was turned off)',
    });
  });
});
