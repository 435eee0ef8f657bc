// `--all-users` without the real /home: the roots are a temporary folder. Which homes are found,
// what becomes a problem, and that reports keep every home's entries together.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allUserHomes, type UserHomeRoots } from './homes.ts';
import { readNoHome, runInventory } from './index.ts';
import { renderInventory } from './report/index.ts';

/** Root reads every folder whatever its mode: permission cases cannot fail for it. */
const isRoot = process.getuid?.() === 0;
const now = new Date('2030-01-01T00:00:00Z');
const owners = { name: () => 'someone' };

let dir: string;
let roots: UserHomeRoots;
/** Folders whose mode a test took away, given back before cleaning up. */
const locked: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devicebound-homes-'));
  roots = { parents: [join(dir, 'home')], homes: [join(dir, 'root')] };
  await mkdir(join(dir, 'home'));
});
afterEach(async () => {
  for (const path of locked.splice(0)) await chmod(path, 0o755);
  await rm(dir, { recursive: true, force: true });
});

/** Writes a fake cache file (not secret-shaped) into a home, mode 0600. */
async function put(home: string, path: string, content: string): Promise<void> {
  await mkdir(join(home, path, '..'), { recursive: true });
  await writeFile(join(home, path), content, { mode: 0o600 });
}

const vaultToken = (user: string) => `hvs.fake-${user}-${'v'.repeat(30)}`;
const ghHosts = (user: string) =>
  `github.com:\n  user: ${user}\n  oauth_token: gho_fake${user}${'g'.repeat(30)}\n`;

describe('allUserHomes', () => {
  it('finds every folder in the parents, sorted, then each own home that exists', async () => {
    for (const user of ['carol', 'alice', 'bob']) await mkdir(join(dir, 'home', user));
    await writeFile(join(dir, 'home', 'README'), 'a file in /home is not a home');
    await mkdir(join(dir, 'root'));
    expect(await allUserHomes(roots)).toEqual({
      homes: [
        join(dir, 'home/alice'),
        join(dir, 'home/bob'),
        join(dir, 'home/carol'),
        join(dir, 'root'),
      ],
      problems: [],
    });
  });

  it('skips an own home that does not exist (no such account), silently', async () => {
    await mkdir(join(dir, 'home', 'alice'));
    expect(await allUserHomes(roots)).toEqual({ homes: [join(dir, 'home/alice')], problems: [] });
  });

  it('reports a parent or an own home that is not a folder as a problem', async () => {
    const roots = { parents: [join(dir, 'no-such-parent'), join(dir, 'file')], homes: [] };
    await writeFile(join(dir, 'file'), '');
    await writeFile(join(dir, 'root'), '');
    expect(await allUserHomes({ ...roots, homes: [join(dir, 'root')] })).toEqual({
      homes: [],
      problems: [
        { path: join(dir, 'no-such-parent'), reason: 'cannot list (ENOENT)' },
        { path: join(dir, 'file'), reason: 'cannot list (ENOTDIR)' },
        { path: join(dir, 'root'), reason: 'cannot list (ENOTDIR)' },
      ],
    });
  });

  it.skipIf(isRoot)('reports a parent or an own home it may not list as a problem', async () => {
    await mkdir(join(dir, 'root'));
    for (const path of [join(dir, 'home'), join(dir, 'root')]) {
      await chmod(path, 0o000);
      locked.push(path);
    }
    expect(await allUserHomes(roots)).toEqual({
      homes: [],
      problems: [
        { path: join(dir, 'home'), reason: 'cannot list (EACCES)' },
        { path: join(dir, 'root'), reason: 'not permitted (EACCES)' },
      ],
    });
  });
});

describe('runInventory with allUsers', () => {
  beforeEach(async () => {
    for (const user of ['alice', 'bob']) {
      await put(join(dir, 'home', user), '.vault-token', vaultToken(user));
      await put(join(dir, 'home', user), '.config/gh/hosts.yml', ghHosts(user));
    }
    await mkdir(join(dir, 'home', 'carol'));
    await put(join(dir, 'root'), '.vault-token', vaultToken('root'));
  });

  it('looks in every home found, and keeps each entry with its home', async () => {
    const report = await runInventory({ homes: [], allUsers: roots, failOn: 'low', now, owners });
    const [alice, bob, carol, root] = ['home/alice', 'home/bob', 'home/carol', 'root'].map((h) =>
      join(dir, h),
    );
    expect(report.homes).toEqual([alice, bob, carol, root]);
    expect(report.problems).toEqual([]);
    expect(report.entries.map((e) => [e.home, e.tool])).toEqual([
      [alice, 'gh'],
      [alice, 'vault'],
      [bob, 'gh'],
      [bob, 'vault'],
      [root, 'vault'],
    ]);
    for (const entry of report.entries) expect(entry.path.startsWith(`${entry.home}/`)).toBe(true);
  });

  it('looks in a home given twice (--home and --all-users) once', async () => {
    const alice = join(dir, 'home/alice');
    const report = await runInventory({
      homes: [alice],
      allUsers: roots,
      failOn: 'low',
      now,
      owners,
    });
    expect(report.homes[0]).toBe(alice);
    expect(report.homes.filter((home) => home === alice)).toHaveLength(1);
    expect(report.entries.filter((e) => e.home === alice)).toHaveLength(2);
  });

  it('groups the text and Markdown reports by home, in the order found', async () => {
    const report = await runInventory({ homes: [], allUsers: roots, failOn: 'low', now, owners });
    const text = renderInventory('text', report, { color: false });
    const sections = text.split('\n\n').slice(1, -1);
    expect(sections.map((section) => section.split('\n')[0])).toEqual([
      `${join(dir, 'home/alice')}  2 entries`,
      `${join(dir, 'home/bob')}  2 entries`,
      `${join(dir, 'home/carol')}  0 entries`,
      `${join(dir, 'root')}  1 entry`,
    ]);
    // Each section lists its own files: two in alice's and bob's, one in root's.
    expect(sections.map((section) => section.match(/ {2}~\/\S+/g))).toEqual([
      ['  ~/.config/gh/hosts.yml', '  ~/.vault-token'],
      ['  ~/.config/gh/hosts.yml', '  ~/.vault-token'],
      null,
      ['  ~/.vault-token'],
    ]);
    const markdown = renderInventory('markdown', report, { color: false });
    expect(markdown.match(/^#### .*$/gm)).toEqual([
      `#### \`${join(dir, 'home/alice')}\`: 2 entries`,
      `#### \`${join(dir, 'home/bob')}\`: 2 entries`,
      `#### \`${join(dir, 'home/carol')}\`: 0 entries`,
      `#### \`${join(dir, 'root')}\`: 1 entry`,
    ]);
    expect(markdown.match(/^\| Severity/gm)).toHaveLength(3);
  });

  it('reports a home it cannot open once, beside the others, as not read', async () => {
    // The root-independent case: a home gone by the time it is read (removed between listing
    // and reading). Root cannot be refused a folder; the case below needs a user who can.
    const gone = join(dir, 'home', 'dave');
    const report = await runInventory({
      homes: [gone],
      allUsers: roots,
      failOn: 'low',
      now,
      owners,
    });
    expect(report.problems).toEqual([{ path: gone, reason: 'cannot open the home (ENOENT)' }]);
    expect(renderInventory('text', report, { color: false })).toContain(
      `${gone}  not read: cannot open the home (ENOENT)`,
    );
    // Others were read: the report stands (the CLI exits by its findings, not 3).
    expect(report.homes.length).toBeGreaterThan(1);
    expect(readNoHome(report)).toBe(false);
    const alone = await runInventory({ homes: [gone], failOn: 'low', now, owners });
    expect(readNoHome(alone)).toBe(true);
    expect(readNoHome({ homes: [], problems: [] })).toBe(true);
  });

  it.skipIf(isRoot)(
    'reports a home it may not open once (not once per cache path), and still the others',
    async () => {
      const bob = join(dir, 'home', 'bob');
      await chmod(bob, 0o000);
      locked.push(bob);
      const report = await runInventory({ homes: [], allUsers: roots, failOn: 'low', now, owners });
      expect(report.problems).toEqual([{ path: bob, reason: 'cannot open the home (EACCES)' }]);
      expect(report.homes).toContain(bob);
      expect(report.entries.map((e) => e.home)).not.toContain(bob);
      expect(report.entries).toHaveLength(3);
      expect(renderInventory('text', report, { color: false })).toContain(
        `${bob}  not read: cannot open the home (EACCES)`,
      );
      expect(renderInventory('markdown', report, { color: false })).toContain(
        `#### \`${bob}\`: not read (cannot open the home (EACCES))`,
      );
    },
  );
});
