import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Evidence, ScenarioRun } from '../evidence/model.ts';
import { CAPTURE_ONLY_CHECKS, checks, judge } from './index.ts';
import { check as pollInterval } from './poll-interval.ts';
import {
  credential,
  expectCompleteMeta,
  rawSecretIn,
  refreshRequest,
  resourceRequest,
  runWith,
  taskPolicy,
  testCheck,
} from './testing.ts';
import { CHECK_IDS, type CheckId } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('the registry', () => {
  it('holds every check id, in CHECK_IDS order', () => {
    expect(Object.keys(checks)).toEqual([...CHECK_IDS]);
  });

  it.each(CHECK_IDS)('%s: a module named after it exports the registered check', async (id) => {
    const module = (await import(`./${id}.ts`)) as { check?: unknown };
    expect(module.check).toBe(checks[id]);
    expect(checks[id].meta.id).toBe(id);
    expectCompleteMeta(checks[id].meta);
  });

  it.each(CHECK_IDS)('%s: a test file beside it with valid and invalid cases', async (id) => {
    const text = await readFile(join(here, `${id}.test.ts`), 'utf8').catch(() => '');
    expect(text, `${id}.test.ts is missing`).not.toBe('');
    expect(text).toContain(`import { check } from './${id}.ts';`);
    expect(text).toContain('testCheck(check, {');
    expect(text).toMatch(/^ {2}valid: \[\n\s+\{/m);
    expect(text).toMatch(/^ {2}invalid: \[\n\s+\{/m);
  });

  it('registers every module of this folder that exports a check', async () => {
    const files = (await readdir(here)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    for (const file of files) {
      const module = (await import(`./${file}`)) as { check?: { meta: { id: CheckId } } };
      if (module.check) expect(`${module.check.meta.id}.ts`).toBe(file);
    }
  });

  it('gives each check the severity and standards of the contract', () => {
    const contract: Record<CheckId, [string, string[]]> = {
      'poll-interval': ['medium', ['RFC 8628 §3.2', 'RFC 8628 §3.5']],
      'poll-slow-down': ['medium', ['RFC 8628 §3.5']],
      'poll-after-terminal': ['medium', ['RFC 8628 §3.5', 'NHI7:2025']],
      'auto-restart': ['high', ['RFC 8628 §3.1', 'RFC 8628 §3.5', 'NHI7:2025']],
      'error-backoff': ['low', ['RFC 8628 §3.5']],
      'unclean-exit': ['medium', ['RFC 8628 §3.5']],
      'excess-scope': ['high', ['RFC 9700 §2.3', 'NHI5:2025', 'CSF PR.AA-05']],
      'secret-at-rest': ['critical', ['NHI2:2025', 'NHI7:2025', 'CSF PR.DS-01', 'OAuth 2.1 §4.3']],
      'secret-in-output': [
        'high',
        ['RFC 8628 §3.3', 'RFC 8628 §5.5', 'NHI2:2025', 'CSF PR.DS-01', 'CSF PR.PS-04'],
      ],
      'session-reuse': ['high', ['NHI9:2025', 'NHI7:2025', 'CSF PR.AA-01']],
      'silent-refresh': ['high', ['NHI7:2025', 'RFC 9700 §2.2.2']],
      'slow-down-abort': ['low', ['RFC 8628 §3.5']],
      'secret-in-telemetry': [
        'critical',
        ['NHI2:2025', 'CSF PR.DS-01', 'CSF PR.DS-02', 'RFC 8628 §5.5'],
      ],
      'unexpected-egress': ['info', ['CSF DE.CM-01']],
      'secret-in-argv': ['high', ['NHI2:2025', 'CSF PR.DS-01']],
      'long-lived-token': ['medium', ['NHI7:2025']],
      'refresh-issued': ['medium', ['NHI7:2025', 'RFC 9700 §4.14']],
      'insecure-transport': ['high', ['RFC 6749 §3.1', 'RFC 6749 §3.2', 'RFC 8628 §3.1']],
    };
    for (const id of CHECK_IDS) {
      expect([checks[id].meta.severity, checks[id].meta.standards], id).toEqual(contract[id]);
    }
  });
});

describe('testCheck', () => {
  const run = runWith({ polls: [[0, 'success']] });

  it('refuses a check without valid cases, or without invalid ones', () => {
    const one = [{ why: 'some case', run }];
    expect(() => testCheck(pollInterval, { valid: [], invalid: one })).toThrow(
      /valid and one invalid/,
    );
    expect(() => testCheck(pollInterval, { valid: one, invalid: [] })).toThrow(
      /valid and one invalid/,
    );
  });

  it('refuses a case that does not say why', () => {
    const cases = { valid: [{ why: ' ', run }], invalid: [{ why: 'x', run }] };
    expect(() => testCheck(pollInterval, cases)).toThrow(/must say why/);
  });

  it('recognises raw credentials, and lets fingerprints and previews through', () => {
    expect(rawSecretIn(`token ${credential('access_token').fingerprint}`)).toBeUndefined();
    expect(rawSecretIn('eyJh…(412 chars)…Q9x and W…(9 chars)')).toBeUndefined();
    expect(rawSecretIn('Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe('a JWT');
    expect(rawSecretIn('enter WDJB-MJHT')).toBe('a user code');
    expect(rawSecretIn('dbrt_0123456789abcdefghij')).toBe('a refresh token');
  });
});

/** A client that does everything wrong once: every check must fire on it. */
function everythingWrong(): ScenarioRun {
  return runWith({
    scenario: 'session',
    invocations: [
      {
        scope: 'openid offline_access',
        polls: [
          [0, 'authorization_pending'],
          [3000, 'slow_down'],
          [6000, 'slow_down'],
          [11_000, 'server_error_injected'],
          [11_200, 'authorization_pending'],
          [26_200, 'success'],
          [31_200, 'invalid_grant'],
        ],
        requests: [
          refreshRequest(32_000, credential('refresh_token', 1), { outcome: 'invalid_grant' }),
        ],
        hits: [
          { kind: 'device_code', stream: 'stdout', line: 3 },
          { kind: 'refresh_token', file: '~/.mycli.json' },
        ],
        leftovers: [{ pid: 4242, name: 'mycli' }],
        // Sends the access token to its telemetry host, which no egress.allow names.
        egress: [
          {
            at: 27_000,
            url: 'https://telemetry.example.com/v1/collect',
            carried: [{ kind: 'access_token', where: 'body' }],
          },
        ],
        // Hands the access token to curl on its command line.
        processes: [
          { name: 'curl', at: 27_100, hits: [{ kind: 'access_token', where: 'argv', index: 2 }] },
        ],
      },
      {
        startedAt: 60_000,
        requests: [resourceRequest(60_100, credential('access_token', 1), 'invalid_token')],
        // Restarts after the denial, then gives up at the new code's first slow_down.
        authorizations: [
          { at: 60_200, polls: [[60_200, 'access_denied']] },
          { at: 60_300, polls: [[60_300, 'slow_down']] },
        ],
        exitCode: 0,
      },
    ],
  });
}

describe('judge', () => {
  const evidence = (...runs: ScenarioRun[]): Evidence => ({
    evidenceVersion: 1,
    tool: { name: 'devicebound', version: '0.0.0-test' },
    createdAt: '2025-01-01T00:00:00.000Z',
    policy: { source: null, failOn: 'low', clientId: 'devicebound-cli', tasks: [] },
    runs,
  });
  const policyFor = (task: string) => taskPolicy(task);

  it('finds nothing in a run that stays inside the boundary', () => {
    const run = runWith({
      polls: [
        [0, 'authorization_pending'],
        [5000, 'authorization_pending'],
        [10_000, 'success'],
      ],
      hits: [{ kind: 'user_code', stream: 'stdout' }],
    });
    expect(judge(evidence(run), policyFor)).toEqual([]);
  });

  it('runs every check a lab run can be judged by, and builds findings from their metadata', () => {
    const findings = judge(evidence(everythingWrong()), policyFor);
    // The capture-only checks judge traffic the lab shapes itself: not lab runs.
    expect(findings.map((finding) => finding.check)).toEqual(
      CHECK_IDS.filter((id) => !CAPTURE_ONLY_CHECKS.includes(id)),
    );
    for (const finding of findings) {
      const { meta } = checks[finding.check];
      expect(finding).toMatchObject({
        severity: meta.severity,
        scenario: 'session',
        task: 'list-repos',
        standards: meta.standards,
        fix: meta.fix,
      });
      expect(finding.message).not.toBe('');
      expect(finding.evidence.length).toBeGreaterThan(0);
    }
  });

  it('never puts a raw credential in a finding', () => {
    const findings = judge(evidence(everythingWrong()), policyFor);
    expect(rawSecretIn(JSON.stringify(findings))).toBeUndefined();
  });

  it('sorts by task, then scenario in SCENARIOS order, then check in CHECK_IDS order', () => {
    const exitsZero = (task: string, scenario: 'approve' | 'deny') =>
      runWith({ task, scenario, scope: 'admin', polls: [[0, 'access_denied']], exitCode: 0 });
    const findings = judge(
      evidence(
        exitsZero('sync', 'approve'),
        exitsZero('deploy', 'deny'),
        exitsZero('deploy', 'approve'),
      ),
      policyFor,
    );
    expect(findings.map(({ task, scenario, check }) => `${task}/${scenario}/${check}`)).toEqual([
      'deploy/approve/unclean-exit',
      'deploy/approve/excess-scope',
      'deploy/deny/unclean-exit',
      'deploy/deny/excess-scope',
      'sync/approve/unclean-exit',
      'sync/approve/excess-scope',
    ]);
  });

  it("judges each run by its own task's policy", () => {
    const run = runWith({ task: 'admin', scope: 'admin', polls: [[0, 'success']] });
    const allowAdmin = (task: string) =>
      taskPolicy(task, { scopes: { allow: task === 'admin' ? ['admin'] : [] } });
    expect(judge(evidence(run), allowAdmin)).toEqual([]);
    expect(judge(evidence(run), policyFor).map((f) => f.check)).toEqual(['excess-scope']);
  });
});
