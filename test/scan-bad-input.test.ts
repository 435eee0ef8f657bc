// `devicebound scan` on bad input: files that change while being read, special files, unreadable
// files and folders, link loops, broken archives and bombs (through the CLI flags), very long
// lines, invalid UTF-8, NUL bytes, UTF-16LE, CRLF, empty files. Each case is reported in the
// skipped list with its reason, the other files of the same scan are still scanned, and no raw
// token reaches the JSON report. What test/scan.test.ts already covers is not repeated here.
//
// Files that change while being read are changed at a fixed point of the scan (a hook on
// `open` from node:fs/promises, below), never raced against a clock; the CLI case grows its file
// from a writer process for the whole scan.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fingerprint } from '../src/evidence/secret.ts';
import { runScan } from '../src/scan/index.ts';
import { renderScan } from '../src/scan/report/index.ts';
import type { ScanReport } from '../src/scan/report/model.ts';
import { join as concat, fake } from '../src/scan/rules/fake.ts';
import { CLI_ENTRY, type Finished, runCli, startCli } from './cli.ts';
import { gz, tar, zip } from './fixtures/scan/archives.ts';

/**
 * Hooks into the calls the scanner opens and reads files with: `open` of node:fs/promises (a
 * file's handle, read with `handle.read`, or on a local filesystem with `readSync` on its fd),
 * and `openSync` of node:fs for small files (read whole, synchronously).
 */
const hooks = vi.hoisted(() => ({
  /** Called with the path just before it is opened. */
  beforeOpen: undefined as ((path: string) => void) | undefined,
  /** Called before each read of a file opened with `open`, with its path and the read's index. */
  beforeRead: undefined as ((path: string, call: number) => void) | undefined,
  /** Called before each synchronous read, with the path of the file last opened with openSync. */
  beforeReadSync: undefined as ((path: string) => void) | undefined,
  /** Files opened with `open`: their fd → path and the reads made so far. */
  handles: new Map<number, { path: string; calls: number }>(),
  /** Every filesystem taken for a network one: large files are read with asynchronous calls. */
  network: false,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = async (path, ...rest) => {
    hooks.beforeOpen?.(String(path));
    const handle = await actual.open(path, ...rest);
    const opened = { path: String(path), calls: 0 };
    hooks.handles.set(handle.fd, opened);
    const read = handle.read.bind(handle) as (...args: unknown[]) => unknown;
    handle.read = ((...args: unknown[]) => {
      hooks.beforeRead?.(opened.path, opened.calls++);
      return read(...args);
    }) as typeof handle.read;
    return handle;
  };
  return { ...actual, open };
});

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const paths = new Map<number, string>();
  const openSync: typeof actual.openSync = (path, ...rest) => {
    hooks.beforeOpen?.(String(path));
    const fd = actual.openSync(path, ...rest);
    paths.set(fd, String(path));
    return fd;
  };
  const readSync = ((fd: number, ...rest: unknown[]) => {
    const opened = hooks.handles.get(fd);
    if (opened) hooks.beforeRead?.(opened.path, opened.calls++);
    else {
      const path = paths.get(fd);
      if (path !== undefined) hooks.beforeReadSync?.(path);
    }
    return (actual.readSync as (...args: unknown[]) => number)(fd, ...rest);
  }) as typeof actual.readSync;
  const overrides = { openSync, readSync };
  return { ...actual, ...overrides, default: { ...actual, ...overrides } };
});

vi.mock('../src/local-fs.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/local-fs.ts')>();
  return {
    ...actual,
    isLocalFilesystem: (...args: Parameters<typeof actual.isLocalFilesystem>) =>
      !hooks.network && actual.isLocalFilesystem(...args),
  };
});

const MiB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** A distinct fake GitHub OAuth token per seed (40 characters). */
const token = (seed: number): string => concat('gh', 'o_', fake(36, seed));
const T = Array.from({ length: 12 }, (_, i) => token(i));

const dirs: string[] = [];
/** Child processes of this file, each with a promise of its exit (registered at spawn). */
const children = new Map<ChildProcess, Promise<unknown>>();
const servers = new Set<Server>();

function track(child: ChildProcess): ChildProcess {
  children.set(child, new Promise((resolve) => child.once('exit', resolve)));
  return child;
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devicebound-scan-bad-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  hooks.beforeOpen = undefined;
  hooks.beforeRead = undefined;
  hooks.beforeReadSync = undefined;
  hooks.handles.clear();
  hooks.network = false;
  for (const [child, exited] of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
  children.clear();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  servers.clear();
});

afterAll(() => {
  for (const dir of dirs) {
    // Folders made unreadable by a test must be opened again to be removed.
    execFileSync('chmod', ['-R', 'u+rwx', dir]);
    execFileSync('rm', ['-rf', dir]);
  }
});

/** Deterministic incompressible bytes (xorshift32). */
function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

/** The report's skipped list as `{ relative path: reason }`. */
function skippedOf(skipped: readonly { path: string; reason: string }[], dir: string) {
  return Object.fromEntries(skipped.map((s) => [relative(s.path, dir), s.reason]));
}

/** Findings as `relative path[!member]:line:column`, in report order. */
function foundOf(
  findings: readonly { path: string; archivePath?: string; line: number; column: number }[],
  dir: string,
): string[] {
  return findings.map(
    (f) =>
      `${relative(f.path, dir)}${f.archivePath ? `!${f.archivePath}` : ''}:${f.line}:${f.column}`,
  );
}

function relative(path: string, dir: string): string {
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path;
}

/** No raw token anywhere in a JSON report (or any CLI output). */
function expectNoRawToken(output: string, values: readonly string[] = T): void {
  for (const value of values)
    expect(output.includes(value), `a raw ${value.slice(0, 4)}… value in the report`).toBe(false);
}

function json(report: ScanReport): string {
  return renderScan('json', report, { color: false });
}

/** Runs `devicebound scan … --format json` and parses the report. */
async function scanCli(
  args: string[],
  run: (args: string[]) => Promise<Finished> = runCli,
): Promise<{ run: Finished; report: ScanReport }> {
  const finished = await run(['scan', ...args, '--format', 'json']);
  expectNoRawToken(finished.stdout + finished.stderr);
  if (finished.code === 2) throw new Error(`exit 2: ${finished.stderr}`);
  return { run: finished, report: JSON.parse(finished.stdout) as ScanReport };
}

/** Whether the CLI can run as nobody here (for root, who reads files whatever their mode). */
function canRunAsNobody(): boolean {
  const probe = spawnSync(process.execPath, ['-e', `fs.accessSync(${JSON.stringify(CLI_ENTRY)})`], {
    uid: NOBODY,
    gid: NOBODY,
  });
  return !probe.error && probe.status === 0;
}

/** The CLI as an unprivileged user: as nobody when run by root. */
function runCliUnprivileged(args: string[]): Promise<Finished> {
  if (!isRoot) return runCli(args);
  const running = startCli(args, { ...process.env, HOME: tmpdir() }, { uid: NOBODY, gid: NOBODY });
  track(running.child);
  return running.finished;
}

// Large files on a local filesystem are read with synchronous calls, on a network one with
// asynchronous calls (src/local-fs.ts): the same words either way.
describe.each([
  ['local', false],
  ['network', true],
])('scan: files that change while being read (%s filesystem)', (_, network) => {
  beforeEach(() => {
    hooks.network = network;
  });

  it('a file that grows after it was opened: reported as changed, what was there is scanned', async () => {
    const dir = workspace();
    const growing = join(dir, 'a-growing.log');
    writeFileSync(growing, `${T[0]}\n${'filler line\n'.repeat(50_000)}`);
    writeFileSync(join(dir, 'b-other.txt'), `x ${T[1]}\n`);
    const size = statSync(growing).size;
    const appended = `late ${T[2]}\n`;
    hooks.beforeRead = (path, call) => {
      if (path === growing && call === 0) appendFileSync(growing, appended);
    };
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([
      {
        path: growing,
        reason: `changed while being read (size ${size} → ${size + appended.length}): findings may be incomplete`,
      },
    ]);
    // What was appended may be read with the last chunk or not: only the start is promised.
    expect(foundOf(report.findings, dir)).toEqual(
      expect.arrayContaining(['a-growing.log:1:1', 'b-other.txt:1:3']),
    );
    expect(report.summary.filesScanned).toBe(2);
    expectNoRawToken(json(report));
  });

  it('a small file (read whole, synchronously) that grows while read: reported as changed', async () => {
    const dir = workspace();
    const growing = join(dir, 'a-small.log');
    writeFileSync(growing, `${T[0]}\nfiller line\n`);
    writeFileSync(join(dir, 'b-other.txt'), `x ${T[1]}\n`);
    const size = statSync(growing).size;
    const appended = `late ${T[2]}\n`;
    hooks.beforeReadSync = (path) => {
      if (path === growing && statSync(growing).size === size) appendFileSync(growing, appended);
    };
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([
      {
        path: growing,
        reason: `changed while being read (size ${size} → ${size + appended.length}): findings may be incomplete`,
      },
    ]);
    // Read up to the size it had when opened: the appended line is not read.
    expect(foundOf(report.findings, dir)).toEqual(['a-small.log:1:1', 'b-other.txt:1:3']);
    expect(report.summary.filesScanned).toBe(2);
    expectNoRawToken(json(report));
  });

  it('a file truncated while being read: reported as changed, and the scan goes on', async () => {
    const dir = workspace();
    const shrinking = join(dir, 'a-shrinking.log');
    writeFileSync(shrinking, `${T[0]}\n${'filler line\n'.repeat(250_000)}${T[2]}\n`);
    writeFileSync(join(dir, 'b-other.txt'), `x ${T[1]}\n`);
    const size = statSync(shrinking).size;
    expect(size).toBeGreaterThan(2 * MiB);
    hooks.beforeRead = (path, call) => {
      // Read 0 is the sniff of the first bytes, read 1 the first chunk of content.
      if (path === shrinking && call === 1) truncateSync(shrinking, 1000);
    };
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([
      {
        path: shrinking,
        reason: `changed while being read (size ${size} → 1000): findings may be incomplete`,
      },
    ]);
    expect(foundOf(report.findings, dir)).toEqual(['a-shrinking.log:1:1', 'b-other.txt:1:3']);
    expectNoRawToken(json(report));
  });

  it('a file replaced or deleted between listing and opening: not read, said so, scan goes on', async () => {
    const dir = workspace();
    const elsewhere = workspace();
    writeFileSync(join(dir, 'a.txt'), `${T[0]}\n`);
    writeFileSync(join(dir, 'b-replaced.txt'), `${T[3]}\n`);
    writeFileSync(join(elsewhere, 'replacement.txt'), `${T[4]}\n`);
    writeFileSync(join(dir, 'c-vanished.txt'), `${T[5]}\n`);
    writeFileSync(join(dir, 'd.txt'), `${T[1]}\n`);
    hooks.beforeOpen = (path) => {
      if (path === join(dir, 'b-replaced.txt'))
        renameSync(join(elsewhere, 'replacement.txt'), path);
      if (path === join(dir, 'c-vanished.txt')) unlinkSync(path);
    };
    const report = await runScan({ paths: [dir] });
    expect(skippedOf(report.skipped, dir)).toEqual({
      'b-replaced.txt': 'replaced while being scanned: not read',
      'c-vanished.txt': 'not read: does not exist (ENOENT)',
    });
    expect(foundOf(report.findings, dir)).toEqual(['a.txt:1:1', 'd.txt:1:1']);
    expectNoRawToken(json(report));
  });

  it('CLI: a 40 MiB file grown by a writer process for the whole scan is reported as changed', async () => {
    const dir = workspace();
    const growing = join(dir, 'a-growing.log');
    writeFileSync(
      growing,
      Buffer.concat([Buffer.from(`${T[0]}\n`), Buffer.alloc(40 * MiB, `${'y'.repeat(63)}\n`)]),
    );
    writeFileSync(join(dir, 'b-other.txt'), `x ${T[1]}\n`);
    // Appends 512 bytes about every half millisecond until killed (afterEach): the file grows
    // from before the CLI starts until after it ends, so reading 40 MiB always overlaps appends;
    // nothing is waited for or retried.
    const writer = track(
      spawn(
        process.execPath,
        [
          '-e',
          `const fs = require('node:fs');
         const fd = fs.openSync(process.argv[1], 'a');
         const chunk = Buffer.alloc(512, 'z'); chunk[511] = 10;
         const pause = new Int32Array(new SharedArrayBuffer(4));
         fs.writeSync(fd, chunk);
         process.stdout.write('ready\\n');
         for (;;) { fs.writeSync(fd, chunk); Atomics.wait(pause, 0, 0, 0.5); }`,
          growing,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
    await new Promise<void>((resolve, reject) => {
      writer.stdout?.setEncoding('utf8').on('data', (text: string) => {
        if (text.includes('ready')) resolve();
      });
      writer.once('exit', (code) => reject(new Error(`the writer exited (${code})`)));
    });
    const { run, report } = await scanCli([dir, '--max-file-size', '1024']);
    writer.kill('SIGKILL');
    expect(run.code).toBe(1);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]?.path).toBe(growing);
    const match = report.skipped[0]?.reason.match(
      /^changed while being read \(size (\d+) → (\d+)\): findings may be incomplete$/,
    );
    expect(match, report.skipped[0]?.reason).not.toBeNull();
    const [before, after] = [Number(match?.[1]), Number(match?.[2])];
    expect(before).toBeGreaterThan(40 * MiB);
    expect(after).toBeGreaterThan(before);
    expect(foundOf(report.findings, dir)).toEqual(['a-growing.log:1:1', 'b-other.txt:1:3']);
  });
});

describe('scan: special files are never opened', () => {
  it('links to /dev/zero and /dev/urandom, a FIFO with no writer, a socket: skipped, the rest scanned', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'a.txt'), `${T[0]}\n`);
    symlinkSync('/dev/zero', join(dir, 'dev-zero'));
    symlinkSync('/dev/urandom', join(dir, 'dev-urandom'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('fifo', join(dir, 'link-to-fifo'));
    const server = createServer();
    servers.add(server);
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
    writeFileSync(join(dir, 'z.txt'), `z ${T[1]}\n`);
    // Reading any of them would never end (/dev/zero, /dev/urandom) or never start (the FIFO).
    const report = await runScan({ paths: [dir, '/dev/null'] });
    expect(skippedOf(report.skipped, dir)).toEqual({
      'dev-zero': 'character device: not opened',
      'dev-urandom': 'character device: not opened',
      fifo: 'named pipe (FIFO): not opened',
      'link-to-fifo': 'named pipe (FIFO): not opened',
      sock: 'socket: not opened',
      '/dev/null': 'character device: not opened',
    });
    expect(foundOf(report.findings, dir)).toEqual(['a.txt:1:1', 'z.txt:1:3']);
    expect(report.summary.filesScanned).toBe(2);
    expect(report.summary.bytesScanned).toBe(41 + 43);
    expectNoRawToken(json(report));
  });

  it('CLI: a FIFO and a device named on the command line are skipped, exit 1 for the findings', async () => {
    const dir = workspace();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    writeFileSync(join(dir, 'a.txt'), `${T[0]}\n`);
    const { run, report } = await scanCli([join(dir, 'fifo'), '/dev/zero', join(dir, 'a.txt')]);
    expect(run.code).toBe(1);
    expect(skippedOf(report.skipped, dir)).toEqual({
      fifo: 'named pipe (FIFO): not opened',
      '/dev/zero': 'character device: not opened',
    });
    expect(foundOf(report.findings, dir)).toEqual(['a.txt:1:1']);
  });
});

describe('scan: unreadable files and folders', () => {
  it('a locked folder, a folder without search permission and a locked file: skipped, the rest scanned', async (ctx) => {
    if (isRoot && !canRunAsNobody())
      ctx.skip('cannot run the CLI as uid 65534 here (no setuid, or sources it may not read)');
    const dir = workspace();
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'a-locked'));
    writeFileSync(join(dir, 'a-locked', 'inside.txt'), `${T[5]}\n`);
    mkdirSync(join(dir, 'b-list-only'));
    writeFileSync(join(dir, 'b-list-only', 'inside.txt'), `${T[6]}\n`);
    writeFileSync(join(dir, 'c-secret.txt'), `${T[7]}\n`);
    writeFileSync(join(dir, 'd-ok.txt'), `ok ${T[0]}\n`);
    chmodSync(join(dir, 'a-locked'), 0o000);
    chmodSync(join(dir, 'b-list-only'), 0o644);
    chmodSync(join(dir, 'c-secret.txt'), 0o000);
    try {
      const { run, report } = await scanCli([dir], runCliUnprivileged);
      expect(run.code).toBe(1);
      expect(skippedOf(report.skipped, dir)).toEqual({
        'a-locked': 'folder not read: permission denied (EACCES)',
        'b-list-only/inside.txt': 'permission denied (EACCES)',
        'c-secret.txt': 'not read: permission denied (EACCES)',
      });
      expect(foundOf(report.findings, dir)).toEqual(['d-ok.txt:1:4']);
    } finally {
      chmodSync(join(dir, 'a-locked'), 0o755);
      chmodSync(join(dir, 'b-list-only'), 0o755);
    }
  });
});

describe('scan: symbolic links', () => {
  it('self links, link cycles, links between folders and dangling links end; a file is reported once', async () => {
    const dir = workspace();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b', 't.txt'), `${T[0]}\n`);
    symlinkSync('../..', join(dir, 'a', 'b', 'up'));
    mkdirSync(join(dir, 'c'));
    mkdirSync(join(dir, 'd'));
    symlinkSync('../d', join(dir, 'c', 'to-d'));
    symlinkSync('../c', join(dir, 'd', 'to-c'));
    symlinkSync('a/b/t.txt', join(dir, 'file-link'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    symlinkSync('self', join(dir, 'self'));
    symlinkSync('pong', join(dir, 'ping'));
    symlinkSync('ping', join(dir, 'pong'));
    writeFileSync(join(dir, 'z.txt'), `${T[1]}\n`);
    const report = await runScan({ paths: [dir] });
    const loop =
      'symbolic link to a folder already scanned (a loop or a second path): not followed';
    expect(skippedOf(report.skipped, dir)).toEqual({
      'a/b/up': loop,
      'c/to-d/to-c': loop,
      dangling: 'broken symbolic link or vanished',
      ping: 'is a symbolic link (not followed) (ELOOP)',
      pong: 'is a symbolic link (not followed) (ELOOP)',
      self: 'is a symbolic link (not followed) (ELOOP)',
    });
    expect(foundOf(report.findings, dir)).toEqual(['a/b/t.txt:1:1', 'z.txt:1:1']);
    expectNoRawToken(json(report));
  });
});

describe('scan: archive guards through the CLI', () => {
  it('--max-expanded stops a tar.gz and a zip part-way, keeps what came before, and is per file', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'a-bundle.tar.gz'),
      gz(
        await tar([
          { name: 'first.txt', data: `${T[0]}\n` },
          { name: 'noise.bin', data: noise(3 * MiB) },
          { name: 'last.txt', data: `${T[2]}\n` },
        ]),
      ),
    );
    writeFileSync(
      join(dir, 'b-bundle.zip'),
      zip([
        { name: 'tok.txt', data: `${T[3]}\n` },
        { name: 'noise.bin', data: noise(2 * MiB, 7) },
        { name: 'after.txt', data: `${T[4]}\n` },
      ]),
    );
    writeFileSync(join(dir, 'c-after.txt'), `${T[1]}\n`);
    const limited = await scanCli([dir, '--max-expanded', '1']);
    expect(limited.run.code).toBe(1);
    const guard =
      'archive bomb guard: expands to more than 1048576 bytes (--max-expanded); the rest of it is not scanned';
    expect(skippedOf(limited.report.skipped, dir)).toEqual({
      'a-bundle.tar.gz': guard,
      'b-bundle.zip': guard,
    });
    expect(foundOf(limited.report.findings, dir)).toEqual([
      'a-bundle.tar.gz!first.txt:1:1',
      'b-bundle.zip!tok.txt:1:1',
      'c-after.txt:1:1',
    ]);
    // The default (1 GiB) lets both through: the flag is what stopped them.
    const full = await scanCli([dir]);
    expect(full.report.skipped).toEqual([]);
    expect(foundOf(full.report.findings, dir)).toEqual([
      'a-bundle.tar.gz!first.txt:1:1',
      'a-bundle.tar.gz!last.txt:1:1',
      'b-bundle.zip!after.txt:1:1',
      'b-bundle.zip!tok.txt:1:1',
      'c-after.txt:1:1',
    ]);
  });

  it('--max-entries counts the members of every layer of one file together, and each file apart', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'a-many.tar'),
      await tar(
        Array.from({ length: 30 }, (_, i) => ({
          name: `f${String(i).padStart(2, '0')}.txt`,
          data: i === 4 ? `${T[0]}\n` : i === 20 ? `${T[5]}\n` : 'x\n',
        })),
      ),
    );
    const members = (prefix: string, secretAt: number, secret: string) =>
      Array.from({ length: 6 }, (_, i) => ({
        name: `${prefix}${i}.txt`,
        data: i === secretAt ? `${secret}\n` : 'x\n',
      }));
    // 3 members outside, 6 in each inner zip: no layer holds more than 10, the file does.
    writeFileSync(
      join(dir, 'b-nested.zip'),
      zip([
        { name: 'one.zip', data: zip(members('a', 0, T[2] as string)) },
        { name: 'two.zip', data: zip(members('b', 5, T[6] as string)) },
        { name: 'tok.txt', data: `${T[7]}\n` },
      ]),
    );
    writeFileSync(
      join(dir, 'c-small.zip'),
      zip(
        Array.from({ length: 9 }, (_, i) => ({
          name: `s${i}.txt`,
          data: i === 8 ? `${T[3]}\n` : 'x\n',
        })),
      ),
    );
    writeFileSync(join(dir, 'd-after.txt'), `${T[1]}\n`);
    const { run, report } = await scanCli([dir, '--max-entries', '10']);
    expect(run.code).toBe(1);
    const guard =
      'archive bomb guard: holds more than 10 members (--max-entries); the rest of it is not scanned';
    expect(skippedOf(report.skipped, dir)).toEqual({ 'a-many.tar': guard, 'b-nested.zip': guard });
    expect(foundOf(report.findings, dir)).toEqual([
      'a-many.tar!f04.txt:1:1',
      'b-nested.zip!one.zip!a0.txt:1:1',
      'c-small.zip!s8.txt:1:1',
      'd-after.txt:1:1',
    ]);
  });

  it('gzip ratio bombs (plain, gzip in gzip, inside a tar.gz) stop at --max-ratio, and the flag raises it', async () => {
    const dir = workspace();
    // 8 MiB of short lines compress about 1000 times (no long-line note to muddle the report).
    const bomb = Buffer.alloc(8 * MiB, `${'0'.repeat(63)}\n`);
    writeFileSync(join(dir, 'a-bomb.gz'), gz(bomb));
    writeFileSync(join(dir, 'b-double.gz'), gzipSync(gzipSync(bomb)));
    writeFileSync(
      join(dir, 'c-bundle.tar.gz'),
      gz(
        await tar([
          { name: 'first.txt', data: `${T[0]}\n` },
          { name: 'bomb.txt', data: bomb },
          { name: 'last.txt', data: `${T[2]}\n` },
        ]),
      ),
    );
    writeFileSync(join(dir, 'd-after.txt'), `${T[1]}\n`);
    const guarded = await scanCli([dir]);
    expect(guarded.run.code).toBe(1);
    const guard =
      'archive bomb guard: expands more than 100 times its compressed size (--max-ratio); the rest of it is not scanned';
    expect(skippedOf(guarded.report.skipped, dir)).toEqual({
      'a-bomb.gz': guard,
      'b-double.gz': guard,
      'c-bundle.tar.gz': guard,
    });
    expect(foundOf(guarded.report.findings, dir)).toEqual([
      'c-bundle.tar.gz!first.txt:1:1',
      'd-after.txt:1:1',
    ]);
    const raised = await scanCli([dir, '--max-ratio', '100000']);
    expect(raised.report.skipped).toEqual([]);
    expect(foundOf(raised.report.findings, dir)).toEqual([
      'c-bundle.tar.gz!first.txt:1:1',
      'c-bundle.tar.gz!last.txt:1:1',
      'd-after.txt:1:1',
    ]);
  });

  it('--max-depth 0 opens no archive on disk, zip included; --max-depth 1 opens one layer of a tar.gz', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'a.zip'), zip([{ name: 'in.txt', data: `${T[2]}\n` }]));
    writeFileSync(join(dir, 'b.txt.gz'), gz(`${T[3]}\n`));
    writeFileSync(join(dir, 'c.tar'), await tar([{ name: 'in.txt', data: `${T[4]}\n` }]));
    writeFileSync(join(dir, 'd.txt'), `${T[0]}\n`);
    const none = await scanCli([dir, '--max-depth', '0']);
    expect(none.run.code).toBe(1);
    expect(skippedOf(none.report.skipped, dir)).toEqual({
      'a.zip': 'zip archive nested more than 0 layers deep: not opened (--max-depth)',
      'b.txt.gz': 'gzip archive nested more than 0 layers deep: not opened (--max-depth)',
      'c.tar': 'tar archive nested more than 0 layers deep: not opened (--max-depth)',
    });
    expect(foundOf(none.report.findings, dir)).toEqual(['d.txt:1:1']);

    const one = workspace();
    writeFileSync(join(one, 'e.tar.gz'), gz(await tar([{ name: 'in.txt', data: `${T[5]}\n` }])));
    writeFileSync(join(one, 'f.txt.gz'), gz(`${T[1]}\n`));
    const layer = await scanCli([one, '--max-depth', '1']);
    expect(skippedOf(layer.report.skipped, one)).toEqual({
      'e.tar.gz': 'tar archive nested more than 1 layers deep: not opened (--max-depth)',
    });
    expect(foundOf(layer.report.findings, one)).toEqual(['f.txt.gz!f.txt:1:1']);
  });

  it('out-of-range guard values are bad usage (exit 2), naming the flag', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'a.txt'), `${T[0]}\n`);
    for (const [flag, value] of [
      ['--max-ratio', '1'],
      ['--max-entries', '0'],
      ['--max-expanded', 'lots'],
      ['--max-depth', '33'],
      ['--max-file-size', '-1'],
    ] as const) {
      const run = await runCli(['scan', dir, flag, value]);
      expect(run.code, `${flag} ${value}`).toBe(2);
      expect(run.stderr).toContain(flag);
    }
  });
});

describe('scan: broken archives and unsafe member names', () => {
  it('each broken archive or member is skipped with its reason; the other members and files are scanned', async () => {
    const dir = workspace();
    // Bad deflate data in the first member: that member only.
    const inflate = zip([
      { name: 'a.txt', data: `${T[5]}\n`.repeat(50) },
      { name: 'b.txt', data: `${T[0]}\n` },
    ]);
    inflate.fill(0xff, 30 + 'a.txt'.length, 30 + 'a.txt'.length + 10);
    writeFileSync(join(dir, 'a-inflate.zip'), inflate);
    // A stored member changed in place after the archive was made: its CRC-32 no longer matches.
    const changed = zip([
      { name: 'a.txt', data: `hello ${T[1]}\n`, store: true },
      { name: 'b.txt', data: `${T[2]}\n` },
    ]);
    const h = 30 + 'a.txt'.length;
    changed[h] = (changed[h] as number) ^ 0x20; // 'h' -> 'H'
    writeFileSync(join(dir, 'b-crc.zip'), changed);
    // A member that holds more than it declares (a lying size).
    const lying = zip([
      { name: 'a.txt', data: `${T[6]}\n${'y'.repeat(3000)}` },
      { name: 'b.txt', data: `${T[3]}\n` },
    ]);
    lying.writeUInt32LE(100, 22);
    lying.writeUInt32LE(100, lying.readUInt32LE(lying.length - 6) + 24);
    writeFileSync(join(dir, 'c-lying.zip'), lying);
    // And one that holds less than it declares.
    const short = zip([{ name: 'a.txt', data: `${T[6]}\n` }]);
    short.writeUInt32LE(50_000, 22);
    short.writeUInt32LE(50_000, short.readUInt32LE(short.length - 6) + 24);
    writeFileSync(join(dir, 'c-short.zip'), short);
    const tarball = await tar([
      { name: 'a.txt', data: `${T[4]}\n${'x'.repeat(5000)}` },
      { name: 'b.txt', data: `${T[7]}\n` },
    ]);
    writeFileSync(join(dir, 'd-truncated.tar'), tarball.subarray(0, 1500));
    const badCrc = gz(`${T[8]}\n`.repeat(100));
    badCrc[badCrc.length - 6] = (badCrc[badCrc.length - 6] as number) ^ 0xff;
    writeFileSync(join(dir, 'e-crc.gz'), badCrc);
    writeFileSync(
      join(dir, 'f-inner.tar'),
      await tar([
        { name: 'x.gz', data: gz(`${T[9]}\n`.repeat(100)).subarray(0, 30) },
        { name: 'y.txt', data: `${T[10]}\n` },
      ]),
    );
    writeFileSync(join(dir, 'g-after.txt'), `${T[11]}\n`);
    const report = await runScan({ paths: [dir] });
    const skipped = skippedOf(report.skipped, dir);
    expect(skipped['a-inflate.zip!a.txt']).toMatch(
      /^broken zip member \(Z_DATA_ERROR: invalid block type\): not scanned$/,
    );
    expect(skipped['b-crc.zip!a.txt']).toBe(
      'broken zip member (CRC-32 mismatch): its content is not what the archive recorded; findings may be incomplete',
    );
    expect(skipped['c-lying.zip!a.txt']).toMatch(
      /^broken zip member \(too many bytes in the stream\. expected 100\. got at least \d+\): not scanned$/,
    );
    expect(skipped['c-short.zip!a.txt']).toMatch(
      /^broken zip member \(not enough bytes in the stream\. expected 50000\. got only \d+\): not scanned$/,
    );
    expect(skipped['d-truncated.tar']).toBe(
      'broken tar archive (Unexpected end of data): the rest of it is not scanned',
    );
    expect(skipped['e-crc.gz']).toBe(
      'broken gzip archive (Z_DATA_ERROR: incorrect data check): the rest of it is not scanned',
    );
    expect(skipped['f-inner.tar!x.gz']).toBe(
      'broken gzip archive (Z_BUF_ERROR: unexpected end of file): the rest of it is not scanned',
    );
    const found = foundOf(report.findings, dir);
    expect(found).toEqual(
      expect.arrayContaining([
        'a-inflate.zip!b.txt:1:1',
        'b-crc.zip!a.txt:1:7',
        'b-crc.zip!b.txt:1:1',
        'c-lying.zip!b.txt:1:1',
        'd-truncated.tar!a.txt:1:1',
        'f-inner.tar!y.txt:1:1',
        'g-after.txt:1:1',
      ]),
    );
    expect(found.filter((f) => f.startsWith('a-inflate.zip!a.txt'))).toEqual([]);
    expectNoRawToken(json(report));
  });

  it('tar and zip members named outside the archive (.., absolute, drive letters, NUL) are not scanned', async () => {
    const dir = workspace();
    const secret = `${T[5]}\n`;
    writeFileSync(
      join(dir, 'a.tar'),
      await tar([
        { name: '../up.txt', data: secret },
        { name: '/etc/abs.txt', data: secret },
        { name: 'ok/../../climb.txt', data: secret },
        { name: 'fine.txt', data: `${T[0]}\n` },
      ]),
    );
    writeFileSync(
      join(dir, 'b.zip'),
      zip([
        { name: '..\\..\\win.txt', data: secret },
        { name: 'C:\\drive.txt', data: secret },
        { name: 'C:/drive2.txt', data: secret },
        { name: 'nul\0.txt', data: secret },
        { name: 'ok.txt', data: `${T[1]}\n` },
      ]),
    );
    const report = await runScan({ paths: [dir] });
    const unsafe = 'unsafe member name (absolute, or climbs out with ..): not scanned';
    expect(skippedOf(report.skipped, dir)).toEqual({
      'a.tar!../up.txt': unsafe,
      'a.tar!/etc/abs.txt': unsafe,
      'a.tar!ok/../../climb.txt': unsafe,
      'b.zip!..\\..\\win.txt': unsafe,
      'b.zip!C:\\drive.txt': unsafe,
      'b.zip!C:/drive2.txt': unsafe,
      'b.zip!nul\\u{0}.txt': unsafe,
    });
    expect(foundOf(report.findings, dir)).toEqual(['a.tar!fine.txt:1:1', 'b.zip!ok.txt:1:1']);
    expectNoRawToken(json(report));
  });
});

describe('scan: --max-file-size and --exclude through the CLI', () => {
  it('--max-file-size skips a file one byte over the cap and scans one exactly at it', async () => {
    const dir = workspace();
    const over = Buffer.alloc(MiB + 1, 0x20);
    over.write(T[2] as string, 0, 'latin1');
    writeFileSync(join(dir, 'a-over.log'), over);
    const exact = Buffer.alloc(MiB, 0x20);
    exact.write(T[0] as string, MiB - 41, 'latin1');
    writeFileSync(join(dir, 'b-exact.log'), exact);
    writeFileSync(join(dir, 'c.txt'), `${T[1]}\n`);
    const { run, report } = await scanCli([dir, '--max-file-size', '1']);
    expect(run.code).toBe(1);
    expect(skippedOf(report.skipped, dir)).toEqual({
      'a-over.log': 'larger than 1048576 bytes (--max-file-size): not scanned',
    });
    expect(foundOf(report.findings, dir)).toEqual([`b-exact.log:1:${MiB - 40}`, 'c.txt:1:1']);
  });

  it('--exclude globs: a bare name at any depth, a path glob, and members inside archives', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'app.log'), `${T[5]}\n`);
    mkdirSync(join(dir, 'sub', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'deep', 'trace.log'), `${T[6]}\n`);
    mkdirSync(join(dir, 'build', 'x'), { recursive: true });
    writeFileSync(join(dir, 'build', 'out.txt'), `${T[7]}\n`);
    writeFileSync(join(dir, 'build', 'x', 'y.txt'), `${T[8]}\n`);
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'build.txt'), `${T[0]}\n`);
    writeFileSync(
      join(dir, 'bundle.zip'),
      zip([
        { name: 'logs/app.log', data: `${T[9]}\n` },
        { name: 'notes.txt', data: `${T[1]}\n` },
      ]),
    );
    writeFileSync(join(dir, 'keep.txt'), `${T[2]}\n`);
    const { run, report } = await scanCli([dir, '--exclude', '*.log', '--exclude', 'build/**']);
    expect(run.code).toBe(1);
    expect(report.skipped).toEqual([]);
    expect(foundOf(report.findings, dir)).toEqual([
      'bundle.zip!notes.txt:1:1',
      'keep.txt:1:1',
      'src/build.txt:1:1',
    ]);
  });
});

describe('scan: content that is not tidy text', () => {
  it('a line longer than the 1 MiB default is searched in windows, said so; tokens at edges, middle and end found once', async () => {
    const dir = workspace();
    const head = 'first\n';
    const line = Buffer.alloc(3 * MiB + 500, 0x20);
    // File offsets: across the first 1 MiB read, in the middle, across the end of the first
    // window (2 MiB less the 16 KiB overlap), across the second read, and the line's last bytes.
    const at = [MiB - 20, 1.5 * MiB, 2 * MiB - 16 * 1024 - 10, 2 * MiB - 20];
    at.forEach((offset, i) => {
      line.write(T[i] as string, offset - head.length, 'latin1');
    });
    line.write(T[4] as string, line.length - 40, 'latin1');
    writeFileSync(
      join(dir, 'long.log'),
      Buffer.concat([Buffer.from(head), line, Buffer.from(`\n  ${T[5]}\n`)]),
    );
    writeFileSync(join(dir, 'z.txt'), `${T[6]}\n`);
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([
      {
        path: join(dir, 'long.log'),
        reason:
          'line 2 is longer than 1048576 bytes: searched in overlapping windows (a token longer than 16384 bytes across a window edge may be missed)',
      },
    ]);
    const columns = [...at.map((offset) => offset - head.length + 1), line.length - 40 + 1];
    expect(
      report.findings.map((f) => [relative(f.path, dir), f.line, f.column, f.fingerprint]),
    ).toEqual([
      ...columns.map((column, i) => ['long.log', 2, column, fingerprint(T[i] as string)]),
      ['long.log', 3, 3, fingerprint(T[5] as string)],
      ['z.txt', 1, 1, fingerprint(T[6] as string)],
    ]);
    expectNoRawToken(json(report));
  });

  it('tokens among invalid UTF-8 and NUL bytes: found, at the line and the column an editor shows', async () => {
    const dir = workspace();
    const lines = [
      // Bytes that cannot start a character, NULs, a valid é, a lead byte with no continuation.
      [Buffer.from([0xff, 0xfe, 0x00, 0x00]), Buffer.from('é'), Buffer.from([0xc3, 0x28, 0x20])],
      [Buffer.from([0x00, 0x00, 0x00])],
      // A valid €, then a three-byte character cut short.
      [Buffer.from('€'), Buffer.from([0xe2, 0x82, 0x20])],
      [Buffer.from([0x01, 0x02, 0x00, 0xfe, 0x00, 0x7f, 0x00])],
      [Buffer.from('key=')],
    ];
    const parts: Buffer[] = [];
    const expected: [number, number, string][] = [];
    lines.forEach((prefix, i) => {
      const before = Buffer.concat(prefix);
      const value = T[i] as string;
      if (i !== 3) expected.push([i + 1, editorColumn(before), fingerprint(value)]);
      parts.push(before, i === 3 ? Buffer.alloc(0) : Buffer.from(value), Buffer.from([0, 0xff]));
      parts.push(Buffer.from('\n'));
    });
    // Two tokens on one line, held apart by a NUL.
    const pair = Buffer.concat([Buffer.from(`${T[8]}`), Buffer.from([0]), Buffer.from(`${T[9]}`)]);
    parts.push(pair, Buffer.from('\n'));
    expected.push([6, 1, fingerprint(T[8] as string)], [6, 42, fingerprint(T[9] as string)]);
    writeFileSync(join(dir, 'mixed.bin'), Buffer.concat(parts));
    writeFileSync(join(dir, 'z.txt'), `${T[10]}\n`);
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([]);
    expect(
      report.findings
        .filter((f) => relative(f.path, dir) === 'mixed.bin')
        .map((f) => [f.line, f.column, f.fingerprint]),
    ).toEqual(expected);
    expect(foundOf(report.findings, dir)).toContain('z.txt:1:1');
    expectNoRawToken(json(report));
  });

  it('stray UTF-8 continuation bytes before a token count as the characters an editor shows', async () => {
    const dir = workspace();
    // A UTF-8 decoder (an editor, TextDecoder) shows each stray continuation byte, and each byte
    // of an overlong form, as one U+FFFD: the token's column must count them as it does.
    const prefixes = [
      Buffer.from([0x80, 0x80, 0xbf, 0x20]),
      Buffer.from([0xc0, 0xaf, 0x20]),
      Buffer.from([0xe2, 0x28, 0xa1, 0x20]),
    ];
    writeFileSync(
      join(dir, 'stray.txt'),
      Buffer.concat(
        prefixes.flatMap((prefix, i) => [prefix, Buffer.from(`${T[i]}\n`)] as Buffer[]),
      ),
    );
    writeFileSync(join(dir, 'z.txt'), `${T[10]}\n`);
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([]);
    expect(foundOf(report.findings, dir)).toEqual([
      ...prefixes.map((prefix, i) => `stray.txt:${i + 1}:${editorColumn(prefix)}`),
      'z.txt:1:1',
    ]);
    expectNoRawToken(json(report));
  });

  it('a token in UTF-16LE inside binary data is found as utf16le, lines counted in UTF-16 too', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'dump.dmp'),
      Buffer.concat([
        Buffer.alloc(64, 0xcc),
        Buffer.from(`header\r\ntoken=${T[0]}\r\n`, 'utf16le'),
        Buffer.alloc(32),
        Buffer.from(`\nplain ${T[1]}\n`),
      ]),
    );
    writeFileSync(join(dir, 'z.txt'), `${T[2]}\n`);
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([]);
    expect(
      report.findings.map((f) => [relative(f.path, dir), f.line, f.encoding, f.fingerprint]),
    ).toEqual([
      ['dump.dmp', 2, 'utf16le', fingerprint(T[0] as string)],
      ['dump.dmp', 4, undefined, fingerprint(T[1] as string)],
      ['z.txt', 1, undefined, fingerprint(T[2] as string)],
    ]);
    expect(foundOf(report.findings, dir)[1]).toBe('dump.dmp:4:7');
    expectNoRawToken(json(report));
  });

  it('CRLF line endings: the line and column of each token', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'crlf.txt'), `first\r\n\r\nx=${T[0]}\r\n\r\n\r\n  ${T[1]}\r\n`);
    writeFileSync(join(dir, 'z.txt'), `${T[2]}\n`);
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([]);
    expect(foundOf(report.findings, dir)).toEqual(['crlf.txt:3:3', 'crlf.txt:6:3', 'z.txt:1:1']);
    expectNoRawToken(json(report));
  });

  it('an empty file and a file of only newlines are scanned, with nothing found and nothing skipped', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'empty.txt'), '');
    writeFileSync(join(dir, 'newlines.txt'), '\n'.repeat(3 * MiB));
    writeFileSync(join(dir, 'z.txt'), `\n\n${T[0]}\n`);
    const report = await runScan({ paths: [dir] });
    expect(report.skipped).toEqual([]);
    expect(foundOf(report.findings, dir)).toEqual(['z.txt:3:1']);
    expect(report.summary.filesScanned).toBe(3);
    expect(report.summary.bytesScanned).toBe(3 * MiB + 43);
    expectNoRawToken(json(report));
    const { run, report: alone } = await scanCli([join(dir, 'empty.txt')]);
    expect(run.code).toBe(0);
    expect(alone.summary).toMatchObject({ filesScanned: 1, findings: 0, skipped: 0 });
  });

  it('a file whose name is not valid UTF-8 is scanned like any other', async () => {
    const dir = workspace();
    writeFileSync(Buffer.from(`${dir}/bad-\xff-name.txt`, 'latin1'), `${T[0]}\n`);
    writeFileSync(join(dir, 'z.txt'), `${T[1]}\n`);
    const report = await runScan({ paths: [dir] });
    // Linux names are bytes: a name read back as a (lossily decoded) string names no file.
    expect(report.skipped, 'the file must be opened by the bytes of its name').toEqual([]);
    expect(
      report.findings.map((f) => f.fingerprint),
      'the token in the file with the non-UTF-8 name',
    ).toEqual([fingerprint(T[0] as string), fingerprint(T[1] as string)]);
    expectNoRawToken(json(report));
  });
});

/** The 1-based column of the byte after `before`, counted as a UTF-8 decoder shows the line. */
function editorColumn(before: Buffer): number {
  return [...new TextDecoder('utf-8').decode(before)].length + 1;
}
