// The walker: symlinks out of the home, size caps, parse errors and unreadable files are
// reported, never crashed on, and never quote the file's content.
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NETWORK_FILESYSTEMS } from '../local-fs.ts';
import { asyncIo, type HomeIo, ioFor, NotRegularFileError, syncIo } from './io.ts';
import { OwnerNames } from './owners.ts';
import { DETECTORS } from './tools/index.ts';
import { inventoryHome, MAX_FILE_BYTES } from './walk.ts';

let dir: string;
let home: string;
const now = new Date('2030-01-01T00:00:00Z');
let io: HomeIo;
const walk = () => inventoryHome(home, DETECTORS, { now, owners: new OwnerNames(), io });
const secret = `s3cr3t-${'q'.repeat(40)}`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devicebound-walk-'));
  home = join(dir, 'home');
  await mkdir(home);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(path: string, content: string | Buffer, mode = 0o600) {
  await mkdir(join(home, path, '..'), { recursive: true });
  await writeFile(join(home, path), content, { mode });
  await chmod(join(home, path), mode);
}

// Every case twice: with the synchronous calls a local home gets and with the asynchronous
// calls a network one gets (io.ts). Both must see the same entries and the same problems.
describe.each([
  ['synchronous', syncIo],
  ['asynchronous', asyncIo],
])('inventoryHome with %s calls', (_, kind) => {
  beforeEach(() => {
    io = kind;
  });

  it('finds nothing in an empty home', async () => {
    expect(await walk()).toEqual({ entries: [], problems: [] });
  });

  it('reports mode, owner, readers, age and a fingerprint, never the value', async () => {
    await put('.vault-token', secret, 0o644);
    const { entries } = await walk();
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({
      tool: 'vault',
      mode: '0644',
      readableBy: 'world',
      severity: 'critical',
      storage: 'plaintext',
    });
    expect(entry?.credentials[0]?.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('reports a malformed file without quoting it', async () => {
    await put('.codex/auth.json', `{"tokens": {"refresh_token": "${secret}"`);
    await put('.config/gh/hosts.yml', `github.com:\n  oauth_token: ${secret}\n   bad: [`);
    const { entries } = await walk();
    expect(entries.map((e) => [e.tool, e.status])).toEqual([
      ['gh', 'malformed'],
      ['codex', 'malformed'],
    ]);
    expect(JSON.stringify(entries)).not.toContain(secret);
    expect(JSON.stringify(entries)).not.toContain('qqqq');
  });

  it('reports a file that is not SQLite where gcloud keeps one as malformed', async () => {
    await put('.config/gcloud/credentials.db', `not a database ${secret}`);
    const { entries } = await walk();
    expect(entries[0]).toMatchObject({ tool: 'gcloud', status: 'malformed' });
    expect(entries[0]?.notes.join()).toContain('not an SQLite database');
  });

  it('does not follow a symlink out of the home, but follows one inside it', async () => {
    await writeFile(join(dir, 'outside.json'), JSON.stringify({ id_token: secret }));
    await mkdir(join(home, '.kube/cache/oidc-login'), { recursive: true });
    await symlink(join(dir, 'outside.json'), join(home, '.kube/cache/oidc-login/out'));
    await put('real-token', secret);
    await symlink(join(home, 'real-token'), join(home, '.vault-token'));
    const { entries, problems } = await walk();
    expect(problems).toEqual([
      {
        path: join(home, '.kube/cache/oidc-login/out'),
        reason: 'symlink that leads out of the home: not followed',
      },
    ]);
    expect(entries.map((e) => e.tool)).toEqual(['vault']);
  });

  it('does not follow a symlinked folder out of the home', async () => {
    await mkdir(join(dir, 'elsewhere'), { recursive: true });
    await writeFile(join(dir, 'elsewhere/auth.json'), JSON.stringify({ OPENAI_API_KEY: secret }));
    await symlink(join(dir, 'elsewhere'), join(home, '.codex'));
    const { entries, problems } = await walk();
    expect(entries).toEqual([]);
    expect(problems[0]?.reason).toMatch(/leads out of the home/);
  });

  it('does not read a file over the size cap', async () => {
    await put('.docker/config.json', Buffer.alloc(MAX_FILE_BYTES + 1, 0x20));
    const { entries, problems } = await walk();
    expect(entries).toEqual([]);
    expect(problems[0]?.reason).toMatch(/over the \d+-byte cap/);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file as a problem', async () => {
    await put('.vault-token', secret, 0o000);
    const { entries, problems } = await walk();
    expect(entries).toEqual([]);
    expect(problems).toEqual([
      { path: join(home, '.vault-token'), reason: 'cannot read (EACCES)' },
    ]);
  });

  it('reports a home that does not exist as a problem', async () => {
    const result = await inventoryHome(join(dir, 'nobody'), DETECTORS, {
      now,
      owners: new OwnerNames(),
      io,
    });
    expect(result.problems[0]?.reason).toMatch(/cannot open the home \(ENOENT\)/);
  });
});

describe('the calls a home is walked with', () => {
  const linux = (type: number) => ({ platform: 'linux' as const, statfs: () => ({ type }) });

  it('are synchronous on a local filesystem (ext4, tmpfs, btrfs, xfs, overlay)', () => {
    for (const type of [0xef53, 0x01021994, 0x9123683e, 0x58465342, 0x794c7630])
      expect(ioFor('/home/a', linux(type)).kind).toBe('sync');
  });

  it('are asynchronous on a network filesystem, so that homes walked at once overlap', () => {
    expect(ioFor('/home/a', linux(0x6969)).kind).toBe('async'); // NFS
    expect(ioFor('/home/a', linux(0xfe534d42)).kind).toBe('async'); // SMB2
    expect(ioFor('/home/a', linux(0x65735546)).kind).toBe('async'); // FUSE (sshfs…)
    // statfs's f_type read as a signed 32-bit word on some architectures
    expect(ioFor('/home/a', linux(0xff534d42 | 0)).kind).toBe('async'); // CIFS
    for (const type of NETWORK_FILESYSTEMS.keys())
      expect(ioFor('/home/a', linux(type)).kind).toBe('async');
  });

  it('are asynchronous where the filesystem cannot be told', () => {
    const failing = {
      platform: 'linux' as const,
      statfs: () => {
        throw Object.assign(new Error('ENOSYS'), { code: 'ENOSYS' });
      },
    };
    expect(ioFor('/home/a', failing).kind).toBe('async');
    expect(ioFor('/Users/a', { platform: 'darwin', statfs: () => ({ type: 0x1a }) }).kind).toBe(
      'async',
    );
  });

  it("takes this machine's temporary folder for what statfs says it is", () => {
    const type = statfsSync(tmpdir()).type >>> 0;
    expect(ioFor(tmpdir()).kind).toBe(
      process.platform === 'linux' && !NETWORK_FILESYSTEMS.has(type) ? 'sync' : 'async',
    );
  });
});

describe("reading a file that became a FIFO after it was stat'ed", () => {
  const fifo = () => {
    const path = join(dir, 'swapped');
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('is refused by the asynchronous calls, not waited on', async () => {
    const path = fifo();
    await expect(asyncIo.readFile(path)).rejects.toBeInstanceOf(NotRegularFileError);
    await expect(asyncIo.openable(path)).rejects.toBeInstanceOf(NotRegularFileError);
  });

  // In a child process with a time limit: a synchronous open that waited would hang this one.
  it('is refused by the synchronous calls, not waited on', () => {
    const path = fifo();
    const io = fileURLToPath(new URL('./io.ts', import.meta.url));
    const script = `const { syncIo, NotRegularFileError } = await import(${JSON.stringify(io)});
      const seen = [];
      for (const call of ['readFile', 'openable'])
        seen.push(await syncIo[call](${JSON.stringify(path)}).then(() => 'read', (e) => e instanceof NotRegularFileError ? 'refused' : String(e)));
      process.stdout.write(JSON.stringify(seen));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(JSON.parse(out)).toEqual(['refused', 'refused']);
  });
});
