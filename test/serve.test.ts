// `devicebound serve` as a user runs it: a real child process, real HTTP, Ctrl-C.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './cli.ts';
import { authorizeDevice, pollToken, sleep } from './helpers.ts';

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

describe('devicebound serve', () => {
  it('prints the issuer and env lines, serves a device flow, and flushes the trace on Ctrl-C', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'devicebound-serve-'));
    folders.push(folder);
    const traceFile = join(folder, 'trace.jsonl');
    const serve = startCli([
      'serve',
      '--interval',
      '1',
      '--approve-after',
      '0',
      '--trace',
      traceFile,
      // Fewer than the run records: the count and the trace file still have every event.
      '--keep-events',
      '2',
    ]);
    try {
      const [, issuer = ''] = await serve.waitFor(
        /export DEVICEBOUND_ISSUER=(http:\/\/127\.0\.0\.1:\d+)\n/,
      );
      expect(serve.stdout()).toContain('export DEVICEBOUND_CLIENT_ID=devicebound-cli');
      expect(serve.stdout()).toContain(`export DEVICEBOUND_RESOURCE=${issuer}`);

      const device = await authorizeDevice(issuer, 'devicebound-cli');
      await pollToken(issuer, 'devicebound-cli', device.device_code);
      await sleep(1050);
      await pollToken(issuer, 'devicebound-cli', device.device_code);
      await sleep(1050);
      const tokens = await pollToken(issuer, 'devicebound-cli', device.device_code);
      expect(tokens.status).toBe(200);
      await serve.waitFor(/poll 3 → 200 success/);
    } finally {
      serve.child.kill('SIGINT');
    }
    const done = await serve.finished;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/lab closed after 4 requests; trace written to/);
    const trace = (await readFile(traceFile, 'utf8')).trim().split('\n');
    expect(trace).toHaveLength(6); // lab-start, 4 requests, 1 decision
    expect(done.stdout).not.toMatch(/eyJ|dbrt_/);
    expect(done.stdout).not.toMatch(/[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}/);
  });

  it('warns loudly when listening beyond loopback', async () => {
    const serve = startCli(['serve', '--host', '0.0.0.0', '--quiet']);
    try {
      await serve.waitFor(/listening on/);
    } finally {
      serve.child.kill('SIGTERM');
    }
    const done = await serve.finished;
    expect(done.stderr).toMatch(
      /WARNING: listening on 0\.0\.0\.0, which is not a loopback address/,
    );
    expect(done.code).toBe(0);
  });

  it.each([
    [['serve', '--port', 'abc'], /--port <port>' argument 'abc' is invalid/],
    [['serve', '--interval', '0'], /--interval <seconds>' argument '0' is invalid/],
    [
      ['serve', '--scenario', 'nope'],
      /expected one of approve, deny, expire, slow-down, server-error, session/,
    ],
    [
      ['serve', '--trace', '/nonexistent/dir/trace.jsonl'],
      /\/nonexistent\/dir\/trace\.jsonl: --trace: cannot write/,
    ],
    [['serve', '--keep-events', '0'], /--keep-events <count>' argument '0' is invalid/],
    [['serve', '--bogus'], /unknown option '--bogus'/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const done = await runCli(args);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(message);
    expect(done.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
