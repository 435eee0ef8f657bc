// Runs `devicebound check --policy <client's policy>` from source, as a user would, and reads
// its JSON report back: per scenario, the check ids that fired, the program's exit codes, and
// what the egress proxy refused.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SCENARIOS, type ScenarioName } from '../../src/evidence/names.ts';
import { type Expectation, type RealClient, ROOT } from './clients.ts';

export const CLI = join(ROOT, 'src/cli/run.ts');

/** devicebound from source in the package root, as a user runs it: its exit code and stderr. */
function runDevicebound(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr: err }));
  });
}

export interface ScenarioOutcome {
  scenario: ScenarioName;
  /** Check ids that fired, sorted. */
  checks: string[];
  /** Exit code of each run of the program. */
  exits: Array<number | null>;
  durationMs: number;
  /** One message per check id (the report's first finding for it). */
  messages: Record<string, string>;
  /** Destinations the egress proxy refused, `host:port`, in order, unique. */
  refused: string[];
  laterSignIns: string[];
}

export interface CheckOutcome {
  client: string;
  /** The `check` command's exit code: 0 pass, 1 findings, 2 usage, 3 harness. */
  exitCode: number | null;
  wallMs: number;
  scenarios: ScenarioOutcome[];
  stderr: string;
  /** The text report. */
  text: string;
}

/** `devicebound check --policy …` with JSON and text reports, from the package root. */
export async function runCheck(client: RealClient, extra: string[] = []): Promise<CheckOutcome> {
  const dir = await mkdtemp(join(tmpdir(), `devicebound-real-${client.id}-`));
  const json = join(dir, 'report.json');
  const text = join(dir, 'report.txt');
  const args = [
    'check',
    '--policy',
    join(ROOT, client.policy),
    '--format',
    'json',
    '--output',
    json,
    '--format',
    'text',
    '--output',
    text,
    ...extra,
  ];
  const started = Date.now();
  try {
    const { code, stderr } = await runDevicebound(args);
    const wallMs = Date.now() - started;
    const report = await readFile(json, 'utf8')
      .then((body) => JSON.parse(body) as Report)
      .catch(() => undefined);
    return {
      client: client.id,
      exitCode: code,
      wallMs,
      scenarios: report ? outcomes(report) : [],
      stderr,
      text: await readFile(text, 'utf8').catch(() => ''),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The parts of the JSON report read here. */
interface Report {
  findings: Array<{ check: string; scenario: string; message: string }>;
  scenarios: Array<{ scenario: string; durationMs: number; laterSignIns?: string[] }>;
  evidence?: {
    runs: Array<{
      scenario: string;
      events: Array<{ type: string; host?: string; port?: number; action?: string }>;
      invocations: Array<{
        exitCode: number | null;
        hits?: Array<{ location: { type: string; root?: string; path?: string }; canary: string }>;
      }>;
    }>;
  };
}

function outcomes(report: Report): ScenarioOutcome[] {
  const result: ScenarioOutcome[] = [];
  for (const scenario of SCENARIOS) {
    const summary = report.scenarios.find((s) => s.scenario === scenario);
    if (!summary) continue;
    const findings = report.findings.filter((f) => f.scenario === scenario);
    const messages: Record<string, string> = {};
    for (const finding of findings) messages[finding.check] ??= finding.message;
    const run = report.evidence?.runs.find((r) => r.scenario === scenario);
    const refused = [
      ...new Set(
        (run?.events ?? [])
          .filter((e) => e.type === 'egress' && e.action === 'refused')
          .map((e) => `${e.host}:${e.port}`),
      ),
    ];
    result.push({
      scenario,
      checks: [...new Set(findings.map((f) => f.check))].sort(),
      exits: (run?.invocations ?? []).map((i) => i.exitCode),
      durationMs: summary.durationMs,
      messages,
      refused,
      laterSignIns: summary.laterSignIns ?? [],
    });
  }
  return result;
}

/** How an outcome differs from what is expected of it; empty when it matches. */
export function differences(outcome: ScenarioOutcome, expected: Expectation): string[] {
  const problems: string[] = [];
  const allowed = new Set([...expected.always, ...(expected.may ?? [])]);
  const absent = expected.always.filter((id) => !outcome.checks.includes(id));
  const extra = outcome.checks.filter((id) => !allowed.has(id));
  if (absent.length > 0) problems.push(`expected ${absent.join(', ')} but it did not fire`);
  if (extra.length > 0) problems.push(`unexpected ${extra.join(', ')}`);
  if (JSON.stringify(outcome.exits) !== JSON.stringify(expected.exits)) {
    problems.push(
      `program exit codes ${JSON.stringify(outcome.exits)}, expected ${JSON.stringify(expected.exits)}`,
    );
  }
  return problems;
}

/** `check` on one scenario with its sandbox kept, and `inventory` of the home it left. */
export interface InventoryView {
  /** The check report (JSON) of the approve run. */
  check: Report;
  /** `inventory --format json` of the sandbox home. */
  inventory: {
    entries: { tool: string; path: string; credentials: { fingerprint: string }[] }[];
  };
  /** `inventory --format markdown`, the home shown as `~`. */
  markdown: string;
  /** The sandbox home (removed by `done`). */
  home: string;
  done(): Promise<void>;
}

/**
 * What `inventory` reports of the home a real client left after signing in (the approve
 * scenario, its sandbox kept): the same cached credentials `check` judged, seen the way a
 * fleet sees them.
 */
export async function inventoryAfterApprove(client: RealClient): Promise<InventoryView> {
  const dir = await mkdtemp(join(tmpdir(), `devicebound-real-${client.id}-inventory-`));
  const kept: string[] = [];
  const done = async () => {
    for (const path of [dir, ...kept]) await rm(path, { recursive: true, force: true });
  };
  try {
    const checkJson = join(dir, 'check.json');
    const checked = await runDevicebound([
      'check',
      '--policy',
      join(ROOT, client.policy),
      '--scenario',
      'approve',
      '--keep-sandbox',
      '--format',
      'json',
      '--output',
      checkJson,
    ]);
    const sandbox = /sandboxes kept for inspection:\n\s+(\S+)/.exec(checked.stderr)?.[1];
    if (!sandbox)
      throw new Error(`check kept no sandbox (exit ${checked.code}): ${checked.stderr}`);
    kept.push(dirname(sandbox));
    const home = join(sandbox, 'home');
    const inventoryJson = join(dir, 'inventory.json');
    const inventoryMd = join(dir, 'inventory.md');
    await runDevicebound([
      'inventory',
      '--home',
      home,
      '--format',
      'json',
      '--output',
      inventoryJson,
      '--format',
      'markdown',
      '--output',
      inventoryMd,
    ]);
    return {
      check: JSON.parse(await readFile(checkJson, 'utf8')) as Report,
      inventory: JSON.parse(await readFile(inventoryJson, 'utf8')) as InventoryView['inventory'],
      markdown: (await readFile(inventoryMd, 'utf8')).replaceAll(home, '~'),
      home,
      done,
    };
  } catch (error) {
    await done();
    throw error;
  }
}
