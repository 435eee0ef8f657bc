// The GitHub Action (action.yml), without GitHub: the metadata validated against the published
// action schema (vendored in test/fixtures/github-action), and each of its shell steps run as a
// runner would run it: the step's `env` with `${{ inputs.* }}` filled in from the inputs and
// their defaults, GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP. A
// passing and a failing program in check mode, a clean and a leaking folder in scan mode.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULES } from '../src/scan/rules/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Step {
  name: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'devicebound-action-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** `${{ inputs.name }}` filled in from the inputs given and the defaults; nothing else expands. */
function expand(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => {
    const value = inputs[name] ?? action.inputs[name]?.default;
    if (value === undefined) throw new Error(`no input named ${name}`);
    return value;
  });
}

/** Runs every shell step in order, as a runner does, until one fails. */
async function runAction(name: string, inputs: Record<string, string>) {
  const dir = join(work, name);
  const workspace = join(dir, 'workspace');
  await mkdir(workspace, { recursive: true });
  const files = {
    output: join(dir, 'github-output'),
    summary: join(dir, 'step-summary.md'),
    temp: join(dir, 'runner-temp'),
  };
  await mkdir(files.temp, { recursive: true });
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  let status = 0;
  let log = '';
  for (const step of action.runs.steps) {
    if (!step.run) continue;
    expect(step.shell).toBe('bash');
    const env: NodeJS.ProcessEnv = {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? dir,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: files.temp,
      CI: 'true',
    };
    for (const [key, value] of Object.entries(step.env ?? {})) env[key] = expand(value, inputs);
    const done = spawnSync('bash', ['-e', '-c', expand(step.run, inputs)], {
      cwd: workspace,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    log += `--- ${step.name}\n${done.stdout}${done.stderr}`;
    status = done.status ?? -1;
    if (status !== 0) break;
  }
  const outputs = Object.fromEntries(
    (await readFile(files.output, 'utf8'))
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { status, outputs, summary: await readFile(files.summary, 'utf8'), workspace, log };
}

const fixture = (name: string) => join(ROOT, 'test/fixtures/clis', `${name}.mjs`);

describe('action.yml', () => {
  it('is valid action metadata (the schema GitHub Actions metadata is published with)', () => {
    const schema = JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/github-action/action-metadata.schema.json'), 'utf8'),
    );
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(action), JSON.stringify(validate.errors)).toBe(true);
  });

  it('is a composite action whose outputs come from the run step, and uploads the SARIF it wrote', () => {
    expect(action.runs.using).toBe('composite');
    const run = action.runs.steps.find((step) => step.id === 'run');
    expect(run?.run).toContain('action/run.sh');
    for (const name of ['verdict', 'findings', 'sarif-file'])
      expect(action.outputs[name]?.value).toBe(`\${{ steps.run.outputs.${name} }}`);
    const upload = action.runs.steps.find((step) =>
      step.uses?.startsWith('github/codeql-action/upload-sarif@'),
    );
    expect(upload?.if).toContain("inputs.upload-sarif == 'true'");
    expect(upload?.if).toContain('always()');
    expect(upload?.with?.sarif_file).toBe(`\${{ steps.run.outputs.sarif-file }}`);
    for (const name of ['policy', 'preset', 'args', 'fail-on', 'sarif-file', 'upload-sarif'])
      expect(Object.keys(action.inputs)).toContain(name);
  });
});

describe('the action, run as a runner runs it', () => {
  it('check mode, a program that passes: verdict pass, no findings, SARIF and a summary', async () => {
    const done = await runAction('pass', {
      args: `--interval 1 --scenario approve -- ${process.execPath} ${fixture('good')}`,
    });
    expect(done.status, done.log).toBe(0);
    expect(done.outputs).toMatchObject({
      verdict: 'pass',
      findings: '0',
      'sarif-file': 'devicebound.sarif',
    });
    const sarif = JSON.parse(await readFile(join(done.workspace, 'devicebound.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(done.summary).toMatch(/devicebound/);
    expect(readFileSync(done.outputs['junit-file'] as string, 'utf8')).toContain('<testsuites');
  });

  it('check mode, a program that polls too fast: verdict fail, the step fails, SARIF still written', async () => {
    const done = await runAction('fail', {
      args: `--interval 1 --scenario approve -- ${process.execPath} ${fixture('bad-poll-interval')}`,
      'sarif-file': 'out/devicebound.sarif',
    });
    expect(done.status, done.log).toBe(1);
    expect(done.outputs.verdict).toBe('fail');
    expect(Number(done.outputs.findings)).toBeGreaterThan(0);
    expect(done.outputs['sarif-file']).toBe('out/devicebound.sarif');
    const sarif = readFileSync(join(done.workspace, 'out/devicebound.sarif'), 'utf8');
    expect(sarif).toContain('poll-interval');
    expect(done.summary).toContain('poll-interval');
  });

  it('scan mode: a clean folder passes, a leaking one fails with a finding per secret', async () => {
    const clean = await runAction('scan-clean', { mode: 'scan', path: 'dist-artefacts' });
    expect(clean.status, clean.log).toBe(2); // the folder does not exist yet: bad input
    expect(clean.outputs.verdict).toBe('error');

    const leaking = await runAction('scan-leak', { mode: 'scan', path: 'bundle' });
    await mkdir(join(leaking.workspace, 'bundle'));
    const token = RULES.find((rule) => rule.id === 'github-token')?.samples.positive[0]?.text;
    await writeFile(join(leaking.workspace, 'bundle', 'support.log'), `${token}\n`);
    const again = await runAction('scan-leak', { mode: 'scan', path: 'bundle' });
    expect(again.status, again.log).toBe(1);
    expect(again.outputs.verdict).toBe('fail');
    expect(again.outputs.findings).toBe('1');

    await mkdir(join(clean.workspace, 'dist-artefacts'));
    await writeFile(join(clean.workspace, 'dist-artefacts', 'notes.txt'), 'nothing to see\n');
    const passes = await runAction('scan-clean', { mode: 'scan', path: 'dist-artefacts' });
    expect(passes.status, passes.log).toBe(0);
    expect(passes.outputs.verdict).toBe('pass');
  });

  it('refuses an unknown mode plainly', async () => {
    const done = await runAction('bad-mode', { mode: 'probe' });
    expect(done.status).toBe(2);
    expect(done.log).toContain("the mode input must be check or scan, not 'probe'");
  });
});
