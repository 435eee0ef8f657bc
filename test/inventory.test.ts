// `devicebound inventory` end to end on a home populated with realistic cache files of every
// tool it knows: every tool reported, exit codes as the contract says, and no secret value from
// the fixtures in any output format.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryReport } from '../src/inventory/model.ts';
import { INVENTORY_FORMATS } from '../src/inventory/report/index.ts';
import { DETECTOR_IDS } from '../src/inventory/tools/index.ts';
import { runCli } from './cli.ts';
import { buildFixtureHome, type FixtureHome } from './fixtures/inventory/build-home.ts';

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
  for (const format of INVENTORY_FORMATS)
    outputs.set(format, await readFile(join(dir, `report.${format}`), 'utf8'));
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
    for (const [format, output] of outputs) {
      for (const [id, value] of fixture.secrets) {
        expect(output.includes(value), `${id} in ${format}`).toBe(false);
        // Nor a recognisable piece of it (a JWT's payload or signature, a token's tail).
        for (const piece of value.split('.').filter((p) => p.length >= 16))
          expect(output.includes(piece), `part of ${id} in ${format}`).toBe(false);
        if (value.length >= 24)
          expect(output.includes(value.slice(-16)), `tail of ${id} in ${format}`).toBe(false);
      }
    }
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

  it('exits 2 on more --output than --format, and on an unknown format', async () => {
    expect(
      (await runCli(['inventory', '--home', dir, '--output', 'a', '--output', 'b'])).code,
    ).toBe(2);
    expect((await runCli(['inventory', '--home', dir, '--format', 'html'])).code).toBe(2);
  });
});
