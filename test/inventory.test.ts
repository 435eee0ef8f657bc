// `devicebound inventory` end to end on a home populated with realistic cache files of every
// tool it knows: every tool reported, exit codes as the contract says, no secret value from the
// fixtures in any output format, and the text, JSON and Markdown reports of that home pinned by
// golden files. After an intended change, rewrite them with
// `UPDATE_GOLDEN=1 npx vitest run test/inventory.test.ts` and review the diff.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInventory } from '../src/inventory/index.ts';
import type { InventoryReport } from '../src/inventory/model.ts';
import { INVENTORY_FORMATS, renderInventory } from '../src/inventory/report/index.ts';
import { DETECTOR_IDS } from '../src/inventory/tools/index.ts';
import { joinPieces } from '../src/report/kit/index.ts';
import { CLI_ENTRY, runCli } from './cli.ts';
import { buildFixtureHome, type FixtureHome } from './fixtures/inventory/build-home.ts';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const isRoot = process.getuid?.() === 0;

/** No secret of the fixtures in `output`, whole or as a recognisable piece. */
function expectNoSecret(output: string, secrets: Map<string, string>, where: string): void {
  for (const [id, value] of secrets) {
    expect(output.includes(value), `${id} in ${where}`).toBe(false);
    // Nor a recognisable piece of it (a JWT's payload or signature, a token's tail).
    for (const piece of value.split('.').filter((p) => p.length >= 16))
      expect(output.includes(piece), `part of ${id} in ${where}`).toBe(false);
    if (value.length >= 24)
      expect(output.includes(value.slice(-16)), `tail of ${id} in ${where}`).toBe(false);
  }
}

let dir: string;
let fixture: FixtureHome;
let report: InventoryReport;
const outputs = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devicebound-inventory-'));
  fixture = await buildFixtureHome(dir, new Date());
  const args = ['inventory', '--home', fixture.home];
  for (const format of INVENTORY_FORMATS) {
    args.push('--format', format, '--output', join(dir, `report.${format}`));
  }
  const done = await runCli(args);
  expect(done.stderr).toBe('');
  expect(done.code).toBe(1);
  // The database (osquery-atc) as Latin-1: every byte kept, so an ASCII secret in it would show.
  for (const format of INVENTORY_FORMATS)
    outputs.set(
      format,
      await readFile(join(dir, `report.${format}`), format === 'osquery-atc' ? 'latin1' : 'utf8'),
    );
  const text = await runCli(['inventory', '--home', fixture.home], {
    ...process.env,
    NO_COLOR: '1',
  });
  outputs.set('stdout', text.stdout + text.stderr);
  report = JSON.parse(outputs.get('json') as string) as InventoryReport;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('devicebound inventory on the fixture home', () => {
  it('reports every tool it knows', () => {
    expect(new Set(report.entries.map((e) => e.tool))).toEqual(new Set(DETECTOR_IDS));
  });

  it('judges the careless files critical and the rest by what they hold', () => {
    const at = (suffix: string) => report.entries.filter((e) => e.path.endsWith(suffix));
    expect(at('.config/gh/hosts.yml').map((e) => [e.severity, e.storage])).toEqual([
      ['critical', 'plaintext'],
      ['info', 'keyring-reference'],
    ]);
    expect(at('.npmrc')[0]).toMatchObject({
      severity: 'critical',
      readableBy: 'group',
      kinds: ['pat'],
    });
    expect(at('.claude/.credentials.json')[0]).toMatchObject({
      severity: 'high',
      unattendedRenewal: true,
      expired: false,
    });
    expect(at('.config/gcloud/access_tokens.db')[0]).toMatchObject({
      severity: 'medium',
      kinds: ['access', 'id'],
    });
    expect(at('.aws/cli/cache/5b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c.json')[0]).toMatchObject({
      severity: 'low',
      expired: true,
    });
    expect(at('.local/.IdentityService/msal.cache')[0]).toMatchObject({
      severity: 'low',
      storage: 'encrypted',
    });
    expect(at('.docker/config.json').map((e) => e.storage)).toEqual([
      'plaintext',
      'keyring-reference',
      'keyring-reference',
    ]);
    // The azure access token's expiry comes from expires_on; kubelogin's from the JWT's exp.
    expect(
      at(
        '.kube/cache/oidc-login/1f2e3d4c5b6a79880f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978',
      )[0]?.expired,
    ).toBe(true);
    expect(
      at('.azure/msal_token_cache.json')[0]?.credentials.find((c) => c.kind === 'access')?.issuer,
    ).toMatch(/^https:\/\/sts\.windows\.net\//);
    expect(report.entries.every((e) => e.ageSeconds >= 3500 && e.ageSeconds < 4000)).toBe(true);
  });

  it('reports malformed and unknown files as such', () => {
    const statuses = report.entries
      .filter((e) => e.status !== 'ok')
      .map((e) => [e.path.split('/').at(-1), e.status]);
    expect(statuses).toEqual([
      ['0d4b6c2e9f8a7b1c3d5e7f9a0b2c4d6e8f1a3b5c.json', 'malformed'],
      ['kiro-auth-token-metadata.json', 'unknown'],
    ]);
    expect(report.problems).toEqual([
      {
        path: join(fixture.home, '.kube/cache/oidc-login/escape'),
        reason: 'symlink that leads out of the home: not followed',
      },
    ]);
  });

  it('puts no secret value of the fixtures in any output format', () => {
    expect(fixture.secrets.size).toBeGreaterThan(40);
    for (const [format, output] of outputs) expectNoSecret(output, fixture.secrets, format);
  });

  it('writes each format as its renderer draws the one report (what the golden files pin)', () => {
    // osquery-atc is a database: test/fleet-formats.test.ts reads it back.
    for (const format of INVENTORY_FORMATS.filter((f) => f !== 'osquery-atc'))
      expect(outputs.get(format), format).toBe(
        joinPieces(renderInventory(format, report, { color: false })),
      );
    expect(outputs.get('stdout')).toBe(outputs.get('text'));
  });
});

/**
 * The golden files: the fixture home built for a fixed `now` (so its JWTs, and their
 * fingerprints, are the same on every run; every file changed an hour before), inventoried at
 * that `now` with the owner named `alice`, and the temporary home shown as `/home/alice`.
 * The CLI renders the same way (the test above), from the real clock and /etc/passwd.
 */
describe('golden files of the fixture home', () => {
  const GOLDEN_NOW = new Date('2026-01-15T09:30:00Z');
  const GOLDEN_HOME = '/home/alice';
  const GOLDEN: [file: string, format: 'text' | 'json' | 'markdown'][] = [
    ['inventory.txt.golden', 'text'],
    ['inventory.json.golden', 'json'],
    ['inventory.md.golden', 'markdown'],
  ];
  let golden: FixtureHome;
  let goldenReport: InventoryReport;

  beforeAll(async () => {
    golden = await buildFixtureHome(join(dir, 'golden'), GOLDEN_NOW);
    goldenReport = await runInventory({
      homes: [golden.home],
      failOn: 'low',
      now: GOLDEN_NOW,
      owners: { name: () => 'alice' },
    });
  });

  it.each(GOLDEN)('%s', (name, format) => {
    const file = fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
    const output = renderInventory(format, goldenReport, { color: false }).replaceAll(
      golden.home,
      GOLDEN_HOME,
    );
    expect(output).not.toContain(dir);
    expectNoSecret(output, golden.secrets, name);
    if (UPDATE) writeFileSync(file, output);
    expect(output).toBe(readFileSync(file, 'utf8'));
  });
});

describe('devicebound inventory exit codes and usage', () => {
  it('fails (1) at the default --fail-on low, and still at --fail-on critical here', async () => {
    const done = await runCli(['inventory', '--home', fixture.home, '--fail-on', 'critical']);
    expect(done.code).toBe(1);
    expect(done.stdout).toMatch(/^FAIL {2}2 cached credential entries at or above critical/);
  });

  it('passes (0) on a home without caches', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const done = await runCli(['inventory', '--home', empty, '--format', 'json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout).summary).toMatchObject({ passed: true, entries: 0 });
  });

  it('exits 2 naming a --home that does not exist', async () => {
    const missing = join(dir, 'no-such-home');
    const done = await runCli(['inventory', '--home', missing]);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(`--home ${missing}: no such folder`);
  });

  it('--all-users: the homes of this machine, a JSON report, exit 0 or 1, no stack trace', async () => {
    const done = await runCli(['inventory', '--all-users', '--format', 'json']);
    expect(done.stderr).not.toMatch(/^\s+at /m);
    expect([0, 1]).toContain(done.code);
    const all = JSON.parse(done.stdout) as InventoryReport;
    expect(all.summary.passed).toBe(done.code === 0);
    // Only /home/* and /root, each once; every entry and problem under one of them or those.
    expect(all.homes.every((home) => /^\/home\/[^/]+$|^\/root$/.test(home))).toBe(true);
    expect(new Set(all.homes).size).toBe(all.homes.length);
    for (const entry of all.entries) expect(all.homes).toContain(entry.home);
    for (const problem of all.problems) expect(problem.path).toMatch(/^\/home(\/|$)|^\/root(\/|$)/);
  });

  it.runIf(isRoot)(
    'reports a home its user may not open once, as that user (root drops to nobody)',
    async (ctx) => {
      // Root may open every folder, so the case runs the CLI as nobody (uid 65534) on a home
      // only root may open: one problem, not one per cache path, and exit 3: nothing was read.
      const nobody = { uid: 65534, gid: 65534, env: { PATH: process.env.PATH ?? '' } };
      const probe = spawnSync(
        process.execPath,
        ['-e', `fs.accessSync(${JSON.stringify(CLI_ENTRY)})`],
        nobody,
      );
      if (probe.error || probe.status !== 0) {
        ctx.skip('cannot run the CLI as uid 65534 here (no setuid, or sources it may not read)');
      }
      const locked = join(dir, 'as-nobody', 'locked');
      await mkdir(locked, { recursive: true });
      for (const open of [dir, join(dir, 'as-nobody')]) await chmod(open, 0o755);
      await chmod(locked, 0o700);
      const done = spawnSync(
        process.execPath,
        [CLI_ENTRY, 'inventory', '--home', locked, '--format', 'json'],
        { ...nobody, encoding: 'utf8' },
      );
      expect(done.stderr).toBe(
        'devicebound inventory: no home could be read (see the problems above): nothing was inventoried\n',
      );
      expect(done.status).toBe(3);
      expect((JSON.parse(done.stdout) as InventoryReport).problems).toEqual([
        { path: locked, reason: 'cannot open the home (EACCES)' },
      ]);
    },
  );

  it('exits 2 on more --output than --format, and on an unknown format', async () => {
    expect(
      (await runCli(['inventory', '--home', dir, '--output', 'a', '--output', 'b'])).code,
    ).toBe(2);
    expect((await runCli(['inventory', '--home', dir, '--format', 'html'])).code).toBe(2);
  });
});
