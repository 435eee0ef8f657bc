// Results where security teams read them: `--format ocsf` for inventory, scan and check (one
// OCSF 1.8.0 Detection Finding per finding, validated against the vendored schema), and
// `inventory --format osquery-atc` (a SQLite table for osquery's Automatic Table Construction),
// read back with node:sqlite. No secret in any of them, and the fleet key the same on every host.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetKey } from '../src/findings/index.ts';
import { ATC_COLUMNS, ATC_TABLE, atcConfiguration } from '../src/inventory/report/index.ts';
import { RULES } from '../src/scan/rules/index.ts';
import { runCli } from './cli.ts';
import { buildFixtureHome, type FixtureHome } from './fixtures/inventory/build-home.ts';
import { ocsfEvents, ocsfProblems } from './ocsf.ts';

let dir: string;
let fixture: FixtureHome;
let other: FixtureHome;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devicebound-fleet-'));
  fixture = await buildFixtureHome(join(dir, 'host-a'), new Date());
  // A second host: the same tools, other secrets (the JWTs are minted for another time).
  other = await buildFixtureHome(join(dir, 'host-b'), new Date(Date.now() - 86_400_000));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** No secret of the fixture, whole or as a recognisable piece. */
function expectNoSecret(output: string, secrets: Map<string, string>, where: string): void {
  for (const [id, value] of secrets) {
    expect(output.includes(value), `${id} in ${where}`).toBe(false);
    for (const piece of value.split('.').filter((p) => p.length >= 16))
      expect(output.includes(piece), `part of ${id} in ${where}`).toBe(false);
  }
}

interface InventoryJson {
  entries: {
    tool: string;
    path: string;
    fleetKey: string;
    credentials: { fingerprint?: string }[];
  }[];
}

async function inventory(home: string, name: string) {
  const files = {
    json: join(dir, `${name}.json`),
    ocsf: join(dir, `${name}.ocsf.jsonl`),
    atc: join(dir, `${name}.db`),
  };
  const done = await runCli([
    'inventory',
    '--home',
    home,
    '--format',
    'json',
    '--output',
    files.json,
    '--format',
    'ocsf',
    '--output',
    files.ocsf,
    '--format',
    'osquery-atc',
    '--output',
    files.atc,
  ]);
  expect(done.stderr).toBe('');
  expect(done.code).toBe(1);
  return {
    json: JSON.parse(await readFile(files.json, 'utf8')) as InventoryJson,
    ocsf: await readFile(files.ocsf, 'utf8'),
    atc: files.atc,
  };
}

describe('inventory --format ocsf and osquery-atc', () => {
  it('one valid Detection Finding per entry, with its fleet key, and no secret', async () => {
    const { json, ocsf } = await inventory(fixture.home, 'a');
    const events = ocsfEvents(ocsf);
    expect(events).toHaveLength(json.entries.length);
    for (const event of events) expect(ocsfProblems(event), JSON.stringify(event)).toEqual([]);
    const keys = events.map((e) => (e.metadata as { correlation_uid: string }).correlation_uid);
    expect(keys).toEqual(json.entries.map((entry) => entry.fleetKey));
    expect(events[0]).toMatchObject({
      class_uid: 2004,
      metadata: { product: { name: 'devicebound', feature: { name: 'inventory' } } },
      resources: expect.arrayContaining([expect.objectContaining({ type: 'host' })]),
    });
    expectNoSecret(ocsf, fixture.secrets, 'inventory ocsf');
  });

  it('the osquery ATC database: the documented columns, one row per entry, no secret', async () => {
    const { json, atc } = await inventory(fixture.home, 'a2');
    const db = new DatabaseSync(atc, { readOnly: true });
    try {
      const columns = db.prepare(`PRAGMA table_info(${ATC_TABLE})`).all() as {
        name: string;
        type: string;
      }[];
      expect(columns.map((c) => [c.name, c.type])).toEqual(ATC_COLUMNS.map(([n, t]) => [n, t]));
      const rows = db.prepare(`SELECT * FROM ${ATC_TABLE}`).all() as Record<string, unknown>[];
      expect(rows).toHaveLength(json.entries.length);
      expect(rows.map((row) => [row.path, row.fleet_key])).toEqual(
        json.entries.map((entry) => [entry.path, entry.fleetKey]),
      );
      const critical = db
        .prepare(`SELECT count(*) AS n FROM ${ATC_TABLE} WHERE severity IN ('critical', 'high')`)
        .get() as { n: number };
      expect(critical.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    expectNoSecret((await readFile(atc)).toString('latin1'), fixture.secrets, 'osquery-atc');
  });

  it('the same cache on two hosts: other fingerprints, the same fleet keys', async () => {
    const a = await inventory(fixture.home, 'fleet-a');
    const b = await inventory(other.home, 'fleet-b');
    const prints = (json: InventoryJson) =>
      new Set(json.entries.flatMap((e) => e.credentials.flatMap((c) => c.fingerprint ?? [])));
    const shared = [...prints(a.json)].filter((p) => prints(b.json).has(p));
    expect(shared.length).toBeLessThan(prints(a.json).size);
    expect(b.json.entries.map((e) => e.fleetKey)).toEqual(a.json.entries.map((e) => e.fleetKey));
    expect(a.json.entries.find((e) => e.path.endsWith('.config/gh/hosts.yml'))?.fleetKey).toBe(
      'inventory:inventory/gh:gh:.config/gh/hosts.yml',
    );
  });

  it('docs/fleet.md shows the osquery configuration for exactly these columns, and every column', async () => {
    const doc = await readFile(new URL('../docs/fleet.md', import.meta.url), 'utf8');
    const config = atcConfiguration('/var/lib/devicebound/inventory.db');
    expect(doc).toContain(JSON.stringify(config, null, 2));
    for (const [name] of ATC_COLUMNS) expect(doc).toContain(`\`${name}\``);
  });

  it('refuses a database on standard output (exit 2, before any work)', async () => {
    const done = await runCli(['inventory', '--home', fixture.home, '--format', 'osquery-atc']);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(
      '--format osquery-atc writes a database: give it an --output file',
    );
  });
});

describe('scan --format ocsf', () => {
  it('one valid Detection Finding per secret, with the rule and place as fleet key, no raw value', async () => {
    const folder = join(dir, 'bundle');
    await mkdir(folder, { recursive: true });
    const samples = RULES.flatMap((rule) => rule.samples.positive.map((s) => s.text));
    await writeFile(join(folder, 'app.log'), `${samples.join('\n')}\n`);
    const output = join(dir, 'scan.ocsf.jsonl');
    const json = join(dir, 'scan.json');
    const done = await runCli(
      [
        'scan',
        '--format',
        'ocsf',
        '--output',
        output,
        '--format',
        'json',
        '--output',
        json,
        'bundle',
      ],
      process.env,
      dir,
    );
    expect(done.code, done.stderr).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      findings: { rule: string; path: string; fingerprint: string }[];
    };
    const text = await readFile(output, 'utf8');
    const events = ocsfEvents(text);
    expect(events).toHaveLength(report.findings.length);
    for (const event of events) expect(ocsfProblems(event), JSON.stringify(event)).toEqual([]);
    expect(events.map((e) => (e.finding_info as { uid: string }).uid)).toEqual(
      report.findings.map((f) => f.fingerprint),
    );
    expect((events[0]?.metadata as { correlation_uid?: string } | undefined)?.correlation_uid).toBe(
      fleetKey({ source: 'scan', rule: report.findings[0]?.rule ?? '', place: 'bundle/app.log' }),
    );
    // Every planted value is absent: only previews and fingerprints.
    for (const sample of samples) {
      const secret = /[A-Za-z0-9_-]{30,}/.exec(sample)?.[0];
      if (secret) expect(text).not.toContain(secret);
    }
  });
});

describe('check --format ocsf', () => {
  it('one valid Detection Finding per finding, no canary in it', async () => {
    const output = join(dir, 'check.ocsf.jsonl');
    const canaries = join(dir, 'canaries.json');
    const fixtureCli = fileURLToPath(
      new URL('./fixtures/clis/bad-secret-in-telemetry.mjs', import.meta.url),
    );
    const done = await runCli(
      [
        'check',
        '--interval',
        '1',
        '--scenario',
        'approve',
        '--format',
        'ocsf',
        '--output',
        output,
        '--save-canaries',
        canaries,
        '--',
        process.execPath,
        fixtureCli,
      ],
      process.env,
      dir,
    );
    expect(done.code, done.stderr).toBe(1);
    const text = await readFile(output, 'utf8');
    const events = ocsfEvents(text);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(ocsfProblems(event), JSON.stringify(event)).toEqual([]);
    const rules = events.map((e) => (e.finding_info as { analytic: { uid: string } }).analytic.uid);
    expect(rules).toContain('secret-in-telemetry');
    const first = events[0] as {
      finding_info: { types: string[] };
      remediation?: { desc: string };
    };
    expect(first.finding_info.types.length).toBeGreaterThan(0);
    expect(first.remediation?.desc).toBeTruthy();
    const values = (
      JSON.parse(await readFile(canaries, 'utf8')) as { canaries: { value: string }[] }
    ).canaries.map((c) => c.value);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(text).not.toContain(value);
  });
});
