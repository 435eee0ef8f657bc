import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryEncoding, CanaryHit } from '../evidence/model.ts';
import type { CanaryKind } from '../evidence/names.ts';
import { Secret } from '../evidence/secret.ts';
import { newDeviceCode, newRefreshToken, newUserCode } from '../lab/canaries.ts';
import { LabKeys } from '../lab/keys.ts';
import { buildNeedles, type NeedleSet } from './needles.ts';
import {
  type BufferHit,
  searchBuffer,
  searchFile,
  searchFiles,
  searchStream,
  searchTree,
  stopWorkers,
} from './search.ts';

interface TestCanary {
  kind: CanaryKind;
  secret: Secret;
}

let canaries: Record<'device' | 'user' | 'access' | 'refresh' | 'id' | 'special', TestCanary>;
let needles: NeedleSet;
let scratch: string;

beforeAll(async () => {
  const keys = await LabKeys.generate();
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const jwt = (typ: 'at+jwt' | 'JWT') =>
    keys.sign(
      {
        iss: 'http://127.0.0.1:4000',
        sub: 'devicebound-user',
        jti: randomBytes(16).toString('base64url'),
      },
      typ,
      exp,
    );
  canaries = {
    device: { kind: 'device_code', secret: new Secret(newDeviceCode()) },
    user: { kind: 'user_code', secret: new Secret(newUserCode()) },
    access: { kind: 'access_token', secret: new Secret(await jwt('at+jwt')) },
    refresh: { kind: 'refresh_token', secret: new Secret(newRefreshToken()) },
    id: { kind: 'id_token', secret: new Secret(await jwt('JWT')) },
    // Not what the lab issues, but what the engine must handle: characters every encoding
    // treats differently.
    special: {
      kind: 'refresh_token',
      secret: new Secret(`tok/${randomBytes(6).toString('base64')} é"q\\~~~~~~~~~!*()`),
    },
  };
  needles = buildNeedles(Object.values(canaries));
  scratch = mkdtempSync(join(tmpdir(), 'devicebound-search-'));
});

afterAll(async () => {
  try {
    await stopWorkers();
  } finally {
    if (scratch) {
      // Restore permissions so the folder can be removed (a non-root run).
      try {
        execFileSync('chmod', ['-R', 'u+rwx', scratch]);
      } catch {}
      rmSync(scratch, { recursive: true, force: true });
    }
  }
});

const junkText = (length: number) =>
  Buffer.from(
    Array.from({ length }, () => 'abc xyz 0123 -_/+=\n{}":,'[Math.floor(Math.random() * 24)]).join(
      '',
    ),
  );

/** `before` + `payload` + `after`; the payload's offset is `before.length`. */
function embed(before: Buffer, payload: Buffer | string, after: Buffer = junkText(50)) {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return { buffer: Buffer.concat([before, bytes, after]), offset: before.length };
}

function only(hits: BufferHit[], canary: TestCanary) {
  return hits
    .filter((h) => h.canary === canary.secret.fingerprint)
    .map(({ encoding, offset }) => ({ encoding, offset }));
}

describe('searchBuffer: every encoding, in text and in binary', () => {
  it('finds each form with its encoding and offset', () => {
    const special = canaries.special;
    const value = special.secret.reveal();
    const raw = Buffer.from(value);
    const cases: [CanaryEncoding, Buffer | string][] = [
      ['raw', raw],
      ['json', JSON.stringify(value).slice(1, -1)],
      ['json', JSON.stringify(value).slice(1, -1).replaceAll('/', '\\/')],
      ['url', encodeURIComponent(value)],
      ['url', new URLSearchParams({ v: value }).toString().slice(2)],
      ['url', encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
      ['hex', raw.toString('hex')],
      ['hex', raw.toString('hex').toUpperCase()],
      ['utf16le', Buffer.from(value, 'utf16le')],
    ];
    for (const [encoding, payload] of cases) {
      for (const before of [junkText(101), randomBytes(77)]) {
        const { buffer, offset } = embed(before, payload, randomBytes(33));
        expect(only(searchBuffer(buffer, needles), special), `${encoding}`).toContainEqual({
          encoding,
          offset,
        });
      }
    }
  });

  it('finds a value inside a larger base64 or base64url blob at each of the three alignments', () => {
    for (const canary of [canaries.special, canaries.device, canaries.user, canaries.access]) {
      const raw = Buffer.from(canary.secret.reveal());
      for (let unknown = 0; unknown < 6; unknown++) {
        for (const alphabet of ['base64', 'base64url'] as const) {
          const blob = Buffer.concat([randomBytes(unknown), raw, randomBytes(4)]).toString(
            alphabet,
          );
          const prefix = junkText(60);
          const hits = only(
            searchBuffer(Buffer.concat([prefix, Buffer.from(blob)]), needles),
            canary,
          );
          // A base64url value never encodes to + or /: both alphabets give the same bytes.
          const expected =
            canary === canaries.special ? alphabet : ('base64' satisfies CanaryEncoding);
          expect(hits, `${canary.kind} ${alphabet} +${unknown}`).toEqual([
            { encoding: expected, offset: prefix.length + Math.ceil((8 * unknown) / 6) },
          ]);
        }
      }
    }
  });

  it('finds a JWT inside a base64-encoded JSON blob', () => {
    const token = canaries.access.secret.reveal();
    const json = JSON.stringify({
      cache: { expires_in: 3600, access_token: token, scope: 'openid' },
    });
    const blob = Buffer.from(json).toString('base64');
    const prefix = 'credentials: ';
    const file = Buffer.from(`${prefix}${blob}\n`);
    const before = Buffer.byteLength(json.slice(0, json.indexOf(token)));
    expect(only(searchBuffer(file, needles), canaries.access)).toEqual([
      { encoding: 'base64', offset: prefix.length + Math.ceil((8 * before) / 6) },
    ]);
  });

  it('finds UTF-16LE inside binary junk full of NUL bytes', () => {
    const junk = Buffer.alloc(4096);
    randomBytes(1024).copy(junk, 2000);
    const { buffer, offset } = embed(
      junk,
      Buffer.from(canaries.refresh.secret.reveal(), 'utf16le'),
      Buffer.alloc(999),
    );
    expect(only(searchBuffer(buffer, needles), canaries.refresh)).toEqual([
      { encoding: 'utf16le', offset },
    ]);
  });

  it('finds a user code as issued, without its dash and in any case; the raw one once', () => {
    const code = canaries.user.secret.reveal();
    const [a, b] = code.split('-') as [string, string];
    const mixed = [...code].map((c, i) => (i % 2 ? c.toLowerCase() : c)).join('');
    const text = `enter ${code} | ${code.toLowerCase()} | ${a}${b} | ${(a + b).toLowerCase()} | ${mixed} | ${a} ${b}`;
    const at = (s: string, from = 0) => text.indexOf(s, from);
    expect(only(searchBuffer(Buffer.from(text), needles), canaries.user)).toEqual([
      { encoding: 'raw', offset: at(code) },
      { encoding: 'user-code-variant', offset: at(code.toLowerCase()) },
      { encoding: 'user-code-variant', offset: at(`${a}${b}`) },
      { encoding: 'user-code-variant', offset: at((a + b).toLowerCase()) },
      { encoding: 'user-code-variant', offset: at(mixed) },
    ]);
  });

  it('reports nothing in 5 MB of random bytes and random base64 text', () => {
    const bytes = randomBytes(5 * 1024 * 1024);
    expect(searchBuffer(bytes, needles)).toEqual([]);
    expect(
      searchBuffer(Buffer.from(bytes.toString('base64').slice(0, 5 * 1024 * 1024)), needles),
    ).toEqual([]);
    expect(
      searchBuffer(Buffer.from(bytes.toString('hex').slice(0, 5 * 1024 * 1024)), needles),
    ).toEqual([]);
  });
});

describe('searchStream', () => {
  it('gives the 1-based line each hit starts on', () => {
    const token = canaries.refresh.secret.reveal();
    const code = canaries.user.secret.reveal();
    const out = Buffer.from(
      `first\n\nVisit and enter ${code}\ntoken=${token} again ${token}\n\n${code.toLowerCase()}`,
    );
    const hits = searchStream(out, needles, 'stderr');
    expect(hits.map((h) => [h.kind, h.encoding, h.location])).toEqual([
      ['user_code', 'raw', { type: 'stream', stream: 'stderr', line: 3, at: undefined }],
      ['refresh_token', 'raw', { type: 'stream', stream: 'stderr', line: 4, at: undefined }],
      ['refresh_token', 'raw', { type: 'stream', stream: 'stderr', line: 4, at: undefined }],
      [
        'user_code',
        'user-code-variant',
        { type: 'stream', stream: 'stderr', line: 6, at: undefined },
      ],
    ]);
    expect(hits.map((h) => h.offset)).toEqual([
      out.indexOf(code),
      out.indexOf(token),
      out.lastIndexOf(token),
      out.indexOf(code.toLowerCase()),
    ]);
  });
});

describe('searchFile', () => {
  function plantedFile(): { path: string; content: Buffer } {
    const parts: Buffer[] = [];
    for (const needle of needles.needles) {
      parts.push(randomBytes(1 + Math.floor(Math.random() * 300)), needle.bytes);
    }
    parts.push(randomBytes(100));
    const content = Buffer.concat(parts);
    const path = join(scratch, `planted-${randomBytes(4).toString('hex')}.bin`);
    writeFileSync(path, content);
    return { path, content };
  }

  it('finds needles straddling window boundaries exactly once, whatever the window size', async () => {
    const { path, content } = plantedFile();
    const whole = searchBuffer(content, needles);
    // Every needle of every canary once (a case-insensitive needle's lower-case bytes count).
    expect(whole.length).toBeGreaterThanOrEqual(needles.size);
    for (const windowBytes of [1, 7, 64, 500, 4096, 1 << 20]) {
      const result = await searchFile(path, needles, { windowBytes });
      expect(result.hits, `window ${windowBytes}`).toEqual(whole);
      expect(result).toMatchObject({
        size: content.length,
        bytesSearched: content.length,
        truncated: false,
      });
    }
  });

  it('searches the first maxFileBytes and says the file was truncated', async () => {
    const { path, content } = plantedFile();
    const cap = Math.floor(content.length / 2);
    const result = await searchFile(path, needles, { maxFileBytes: cap, windowBytes: 1000 });
    expect(result).toMatchObject({ truncated: true, bytesSearched: cap, size: content.length });
    expect(result.hits).toEqual(searchBuffer(content.subarray(0, cap), needles));
  });

  it('refuses symbolic links and FIFOs without reading or blocking', async () => {
    const fifo = join(scratch, 'lone-fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(searchFile(fifo, needles)).rejects.toMatchObject({ code: 'ENOTREG' });
    const link = join(scratch, 'lone-link');
    symlinkSync(fifo, link);
    await expect(searchFile(link, needles)).rejects.toMatchObject({ code: 'ELOOP' });
  });
});

describe('searchTree', () => {
  let home: string;
  let cwd: string;
  let outside: string;
  let socket: Server | undefined;

  beforeAll(async () => {
    home = join(scratch, 'home');
    cwd = join(scratch, 'work');
    outside = join(scratch, 'outside');
    for (const dir of [
      home,
      cwd,
      outside,
      join(home, '.config', 'tool'),
      join(home, '.cache', 'deep', 'er'),
    ]) {
      mkdirSync(dir, { recursive: true });
    }
    const token = canaries.access.secret.reveal();
    writeFileSync(
      join(home, '.config', 'tool', 'hosts.json'),
      JSON.stringify({ lab: { oauth_token: token } }),
    );
    writeFileSync(
      join(home, '.cache', 'deep', 'er', 'state.bin'),
      Buffer.concat([randomBytes(999), Buffer.from(canaries.device.secret.reveal(), 'utf16le')]),
    );
    writeFileSync(join(home, 'notes.txt'), 'nothing to see\n');
    writeFileSync(join(cwd, 'debug.log'), `polling with ${canaries.device.secret.reveal()}\n`);
    // Not followed: a link loop, a link to a folder and to a file outside holding a canary.
    writeFileSync(join(outside, 'secret.txt'), canaries.refresh.secret.reveal());
    symlinkSync('.', join(home, 'loop'));
    symlinkSync(join(home, 'loop2'), join(home, 'loop1'));
    symlinkSync(join(home, 'loop1'), join(home, 'loop2'));
    symlinkSync(outside, join(home, 'outside-dir'));
    symlinkSync(join(outside, 'secret.txt'), join(home, 'outside-file'));
    // Never opened: a FIFO nobody writes to (opening it for reading would block) and a socket.
    execFileSync('mkfifo', [join(home, 'pipe')]);
    socket = createServer();
    await new Promise<void>((resolve) => socket?.listen(join(home, 'agent.sock'), resolve));
    // Unreadable for anyone but root.
    writeFileSync(join(home, 'locked.txt'), canaries.id.secret.reveal());
    chmodSync(join(home, 'locked.txt'), 0o000);
    mkdirSync(join(home, 'locked-dir'));
    writeFileSync(join(home, 'locked-dir', 'inside.txt'), canaries.id.secret.reveal());
    chmodSync(join(home, 'locked-dir'), 0o000);
  });

  afterAll(async () => {
    await new Promise((resolve) => (socket ? socket.close(resolve) : resolve(undefined)));
  });

  const roots = () => [
    { name: 'HOME' as const, dir: home },
    { name: 'XDG_CONFIG_HOME' as const, dir: join(home, '.config') },
    { name: 'cwd' as const, dir: cwd },
  ];
  const asRoot = process.getuid?.() === 0;

  it('walks without following links, opens no special file, and notes what it cannot read', async () => {
    const result = await searchTree(roots(), needles, { workers: 0 });
    const where = result.hits.map((h) => [
      h.kind,
      h.encoding,
      h.location.type === 'file' && `${h.location.root}:${h.location.path}`,
    ]);
    const expected = [
      ['device_code', 'utf16le', 'HOME:.cache/deep/er/state.bin'],
      ...(asRoot
        ? [
            ['id_token', 'raw', 'HOME:locked-dir/inside.txt'],
            ['id_token', 'raw', 'HOME:locked.txt'],
          ]
        : []),
      ['access_token', 'raw', 'XDG_CONFIG_HOME:tool/hosts.json'],
      ['device_code', 'raw', 'cwd:debug.log'],
    ];
    expect(where).toEqual(expected);
    const hosts = result.hits.find((h) => h.kind === 'access_token');
    expect(hosts?.location).toEqual({
      type: 'file',
      root: 'XDG_CONFIG_HOME',
      path: 'tool/hosts.json',
      mode: 0o666 & ~process.umask(),
      size: expect.any(Number),
    });
    expect(hosts?.offset).toBe(JSON.stringify({ lab: { oauth_token: '' } }).indexOf('""') + 1);

    expect(result.skipped).toEqual({ symlinks: 5, special: 2, filtered: 0 });
    const notes = result.notes.map((n) => `${n.root}:${n.path}: ${n.reason}`);
    expect(notes).toContain('HOME:agent.sock: socket, not opened');
    expect(notes).toContain('HOME:pipe: named pipe (FIFO), not opened');
    if (!asRoot) {
      // chmod 000 does not stop root: only checked as another user.
      expect(notes).toContain('HOME:locked.txt: not searched: permission denied (EACCES)');
      expect(notes).toContain('HOME:locked-dir: folder not searched: permission denied (EACCES)');
    }
    expect(result.filesSearched).toBe(asRoot ? 6 : 4);
  });

  it('gives the same answer with worker threads', async () => {
    const inline = await searchTree(roots(), needles, { workers: 0 });
    const parallel = await searchTree(roots(), needles, {
      workers: 2,
      parallelMinBytes: 0,
      mainThread: false,
    });
    expect(parallel.workers).toBeGreaterThanOrEqual(1);
    expect({ ...parallel, workers: 0 }).toEqual({ ...inline, workers: 0 });
    const shared = await searchTree(roots(), needles, { workers: 1, parallelMinBytes: 0 });
    expect({ ...shared, workers: 0 }).toEqual({ ...inline, workers: 0 });
    // Workers started later, once the main thread has been searching for a while.
    const later = await searchTree(roots(), needles, {
      workers: 1,
      parallelMinBytes: Number.POSITIVE_INFINITY,
      parallelMinFiles: Number.POSITIVE_INFINITY,
      parallelAfterMs: 0,
      filter: () => true,
    });
    expect({ ...later, workers: 0 }).toEqual({ ...inline, workers: 0 });
  });

  it('searches again, in the main thread, what failed workers did not report', async () => {
    const files = [
      { root: 'cwd' as const, path: 'debug.log', absolute: join(cwd, 'debug.log') },
      { root: 'HOME' as const, path: 'notes.txt', absolute: join(home, 'notes.txt') },
      {
        root: 'XDG_CONFIG_HOME' as const,
        path: 'tool/hosts.json',
        absolute: join(home, '.config', 'tool', 'hosts.json'),
      },
    ];
    const inline = await searchFiles(files, needles, { workers: 0 });
    await stopWorkers();
    // searchFiles hands the files to new workers before it first waits: end them while they start.
    const search = searchFiles(files, needles, { workers: 2, mainThread: false });
    await stopWorkers();
    const result = await search;
    expect(result.hits).toEqual(inline.hits);
    expect(result.hits.map((h) => h.kind)).toEqual(['device_code', 'access_token']);
    expect(result.filesSearched).toBe(3);
    expect(result.workers).toBe(0);
    expect(result.notes.length).toBeGreaterThanOrEqual(1);
    for (const note of result.notes) {
      expect(note.root).toBeNull();
      expect(note.reason).toMatch(/^a search worker failed \(.+\); its files were searched again$/);
    }
  });

  it('searches only what the filter keeps, and prunes filtered folders', async () => {
    const seen: string[] = [];
    const result = await searchTree(roots(), needles, {
      workers: 0,
      filter: (path, stat, root) => {
        seen.push(`${root}:${path}`);
        return !(stat.isDirectory() && path === '.cache') && path !== 'debug.log';
      },
    });
    expect(result.hits).toEqual(
      result.hits.filter(
        (h) =>
          h.location.type === 'file' &&
          h.location.root !== 'cwd' &&
          !h.location.path.startsWith('.cache'),
      ),
    );
    expect(result.hits.some((h) => h.kind === 'access_token')).toBe(true);
    expect(seen).not.toContain('HOME:.cache/deep');
    expect(result.skipped.filtered).toBe(2);
  });

  it('notes a missing root or a root that is a link, and searches the other roots', async () => {
    const link = join(scratch, 'home-link');
    symlinkSync(home, link);
    const result = await searchTree(
      [
        { name: 'TMPDIR', dir: join(scratch, 'missing') },
        { name: 'HOME', dir: link },
        { name: 'cwd', dir: cwd },
      ],
      needles,
    );
    expect(result.notes.slice(0, 2)).toEqual([
      { root: 'TMPDIR', path: '', reason: 'root not searched: does not exist (ENOENT)' },
      {
        root: 'HOME',
        path: '',
        reason: 'root not searched: it is a symbolic link, not a directory',
      },
    ]);
    expect(result.hits.map((h) => h.kind)).toEqual(['device_code']);
  });

  it('searches a list of files with searchFiles', async () => {
    const result = await searchFiles(
      [
        { root: 'cwd', path: 'debug.log', absolute: join(cwd, 'debug.log') },
        { root: 'HOME', path: 'pipe', absolute: join(home, 'pipe') },
        { root: 'HOME', path: 'gone', absolute: join(home, 'gone') },
      ],
      needles,
    );
    expect(result.hits.map((h) => h.kind)).toEqual(['device_code']);
    expect(result.notes).toEqual([
      { root: 'HOME', path: 'pipe', reason: 'not searched: named pipe (FIFO), not read' },
      { root: 'HOME', path: 'gone', reason: 'not searched: does not exist (ENOENT)' },
    ]);
  });

  it('never puts a value, or any needle, in hits and notes', async () => {
    const result = await searchTree(roots(), needles, { workers: 0 });
    const shown = JSON.stringify(result).toLowerCase();
    expect(result.hits.length).toBeGreaterThan(0);
    for (const needle of needles.needles) {
      expect(shown).not.toContain(needle.bytes.toString('latin1').toLowerCase());
    }
    for (const canary of Object.values(canaries)) {
      expect(shown).not.toContain(canary.secret.reveal().toLowerCase());
    }
    const hits: CanaryHit[] = result.hits;
    for (const hit of hits)
      expect(Object.keys(hit).sort()).toEqual([
        'canary',
        'encoding',
        'kind',
        'location',
        'offset',
        'preview',
      ]);
  });
});
