/**
 * Test support for checks, in the manner of eslint's RuleTester: `runWith()` builds a
 * `ScenarioRun` from a short description, `testCheck()` runs a check on `valid` and `invalid`
 * cases and refuses a check without both. Credentials are deterministic fakes with the shapes
 * the lab issues; every raw value made here is remembered so that no finding can carry one.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type {
  CredentialRef,
  EgressCarried,
  EgressEvent,
  LabEndpoint,
  LabEvent,
  RequestEvent,
} from '../evidence/events.ts';
import type {
  CanaryEncoding,
  CanaryHit,
  CanaryRecord,
  FileRecord,
  HitLocation,
  Invocation,
  LeftoverProcess,
  ProcessRecord,
  RootName,
  ScenarioRun,
} from '../evidence/model.ts';
import type { CanaryKind, ScenarioName } from '../evidence/names.ts';
import { Secret } from '../evidence/secret.ts';
import { SEVERITIES, type Severity } from '../findings/severity.ts';
import { DEFAULT_ALLOWED_SCOPES, DEFAULT_TIMEOUT_MS, type TaskPolicy } from '../policy/types.ts';
import { DEVICE_CODE_GRANT, obtainedToken, SLOW_DOWN_STEP_SECONDS } from './timeline.ts';
import type { Check, CheckContext, CheckMeta, Violation } from './types.ts';

// ── Fake credentials ────────────────────────────────────────────────────────────────────────

const rawValues = new Set<string>();

/**
 * The fake credential of a kind and label, the same on every call: label `1` is what device
 * authorization 1 (and its approval) issued. Its raw value is remembered for `rawSecretIn`.
 */
export function secret(kind: CanaryKind, label: string | number = 1): Secret {
  const value = rawValue(kind, String(label));
  rawValues.add(value);
  return new Secret(value);
}

/** A credential as the trace refers to it: kind and fingerprint. */
export function credential(kind: CanaryKind, label: string | number = 1): CredentialRef {
  return { kind, fingerprint: secret(kind, label).fingerprint };
}

/**
 * RFC 8628 §6.1's base-20 user-code alphabet, which the lab issues from. Spelled out here: the
 * checks and their tests judge evidence and never load a source of it.
 */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

function rawValue(kind: CanaryKind, label: string): string {
  const digest = createHash('sha256').update(`${kind}:${label}`).digest();
  switch (kind) {
    case 'device_code':
      return digest.toString('base64url');
    case 'user_code': {
      const code = [...digest.subarray(0, 8)].map((byte) => USER_CODE_ALPHABET[byte % 20]).join('');
      return `${code.slice(0, 4)}-${code.slice(4)}`;
    }
    case 'refresh_token':
      return `dbrt_${digest.toString('base64url')}`;
    case 'client_secret':
      return `dbcs_${digest.toString('base64url')}`;
    case 'cloud_key':
      return `ASIA${digest.toString('hex').slice(0, 16).toUpperCase()}`;
    case 'access_token':
    case 'id_token': {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const typ = kind === 'access_token' ? 'at+jwt' : 'JWT';
      return `${part({ alg: 'ES256', typ })}.${part({ sub: 'devicebound-user', jti: label })}.${digest.toString('base64url')}`;
    }
  }
}

const SECRET_SHAPES: [RegExp, string][] = [
  [/eyJ[\w-]{6,}\.[\w-]{6,}\./, 'a JWT'],
  [/dbrt_[\w-]{16,}/, 'a refresh token'],
  [new RegExp(`\\b[${USER_CODE_ALPHABET}]{4}-?[${USER_CODE_ALPHABET}]{4}\\b`), 'a user code'],
  [/[\w-]{40,}/, 'a long base64url value (a device code?)'],
];

/**
 * What in `text` is, or looks like, a raw credential; `undefined` when nothing does.
 * `sha256:` fingerprints are the one long value a finding may hold.
 */
export function rawSecretIn(text: string): string | undefined {
  for (const value of rawValues) if (text.includes(value)) return 'a raw credential made by a test';
  const stripped = text.replace(/sha256:[0-9a-f]{64}/g, 'sha256:…');
  for (const [shape, name] of SECRET_SHAPES) if (shape.test(stripped)) return name;
  return undefined;
}

// ── Runs ────────────────────────────────────────────────────────────────────────────────────

/** `[lab ms, outcome]`: one device_code poll and the lab's answer (`success`, an OAuth error
 * code, `server_error_injected` or `connection_dropped`). */
export type PollSpec = readonly [at: number, outcome: string];

export interface AuthorizationSpec {
  /** Lab time of the device authorization request; default the invocation's start. */
  at?: number;
  scope?: string;
  /** The lab's answer; default `success`. */
  outcome?: string;
  /** How long the lab took to answer, ms; default 2. */
  durationMs?: number;
  polls?: readonly PollSpec[];
}

/** Any other request: at the resource, a refresh, metadata… */
export interface RequestSpec {
  at: number;
  endpoint: LabEndpoint;
  grantType?: string;
  scope?: string;
  /** Default `success`. */
  outcome?: string;
  status?: number;
  presented?: CredentialRef[];
  /** A successful token answer issues an access and a refresh token with this label. */
  mints?: string;
}

/** A canary the runner found: in a stream, or in a file named `~/…`, `$XDG_…/…` or cwd-relative. */
export type HitSpec = {
  kind: CanaryKind;
  /** Label of the credential (see `secret`); default 1. */
  of?: string | number;
  encoding?: CanaryEncoding;
} & ({ stream: 'stdout' | 'stderr'; line?: number; at?: number } | { file: string; mode?: number });

/** A credential in an intercepted request: in its URL (query included), a header or the body. */
export interface CarriedSpec {
  kind: CanaryKind;
  /** Label of the credential (see `secret`); default 1. */
  of?: string | number;
  /** Default `raw`. */
  encoding?: CanaryEncoding;
  where: 'url' | 'header' | 'body';
  /** The header's name, lower case, when `where` is `header`. */
  header?: string;
}

/**
 * An attempt to reach a destination the task does not play, as the egress proxy records it:
 * `{ at: 3200, url: 'https://telemetry.example.com/v1/collect', carried: [...] }`.
 */
export interface EgressSpec {
  at: number;
  /** Where it was headed; the port defaults to the scheme's, the query is dropped. */
  url: string;
  /** Default `intercepted` when it carried a credential, else `refused`. */
  action?: 'refused' | 'intercepted';
  /** Default `POST` when intercepted; when refused, `CONNECT` for https (a tunnel, recorded
   * without a path), `GET` for http. */
  method?: string;
  carried?: CarriedSpec[];
  contentEncoding?: string;
}

/** A process the program started, as the process record keeps it (names and hits only). */
export interface ProcessSpec {
  name: string;
  /** Lab time of its exec; default the invocation's start + 1000. */
  at?: number;
  pid?: number;
  hits?: {
    kind: CanaryKind;
    /** Label of the credential (see `secret`); default 1. */
    of?: string | number;
    encoding?: CanaryEncoding;
    where: 'argv' | 'env';
    index?: number;
    variable?: string;
  }[];
}

export interface InvocationSpec {
  task?: string;
  /** Lab times; defaults: 0 for the first, after the previous run's grace period for the
   * next; the end 200 ms after its last request. */
  startedAt?: number;
  endedAt?: number;
  /** Default 0 when it obtained a token, else 1; `null` when timed out or not started. */
  exitCode?: number | null;
  timedOut?: boolean;
  leftovers?: LeftoverProcess[];
  spawnError?: string;
  /** Shorthand: one device authorization at the start, with these polls. */
  polls?: readonly PollSpec[];
  /** Scope of that shorthand device authorization. */
  scope?: string;
  authorizations?: AuthorizationSpec[];
  requests?: RequestSpec[];
  hits?: HitSpec[];
  /** Destinations outside the played hosts that this run tried. */
  egress?: EgressSpec[];
  /** Processes the program started (a process record made by strace). */
  processes?: ProcessSpec[];
}

export interface RunSpec extends InvocationSpec {
  scenario?: ScenarioName;
  /** Announced interval, seconds; default 5. */
  interval?: number;
  /** device_code lifetime, seconds; default 600. */
  expiresIn?: number;
  /** Several program runs (the `session` scenario); the fields above are then unused. */
  invocations?: InvocationSpec[];
}

export const DEFAULT_TASK = 'list-repos';
const GRACE_MS = 2000;

type Unsequenced = Omit<RequestEvent, 'seq'> | Omit<EgressEvent, 'seq'>;

/**
 * Builds a run as the lab and runner would record it, e.g.
 * `runWith({ interval: 5, polls: [[0, 'authorization_pending'], [5000, 'success']] })`.
 */
export function runWith(spec: RunSpec): ScenarioRun {
  const interval = spec.interval ?? 5;
  const expiresIn = spec.expiresIn ?? 600;
  const specs = spec.invocations ?? [spec];
  const requests: Unsequenced[] = [];
  const canaries: CanaryRecord[] = [];
  const invocations: Invocation[] = [];
  const exitsByOutcome: number[] = [];
  let authorizationCount = 0;
  let nextStart = 0;

  const issue = (
    kind: CanaryKind,
    label: string,
    at: number,
    index: number,
    deviceCode: number | undefined,
  ) => {
    const made = secret(kind, label);
    canaries.push({
      kind,
      fingerprint: made.fingerprint,
      preview: made.preview,
      issuedAt: at,
      deviceCode:
        deviceCode === undefined ? undefined : secret('device_code', deviceCode).fingerprint,
      invocation: index,
    });
    return { kind, fingerprint: made.fingerprint };
  };
  const tokens = (label: string, at: number, index: number, deviceCode: number | undefined) => [
    issue('access_token', label, at, index, deviceCode),
    issue('refresh_token', label, at, index, deviceCode),
  ];

  specs.forEach((invocationSpec, position) => {
    const index = position + 1;
    const startedAt = invocationSpec.startedAt ?? nextStart;
    const own: Unsequenced[] = [];
    const authorizations =
      invocationSpec.authorizations ??
      (invocationSpec.polls
        ? [{ polls: invocationSpec.polls, ...optional('scope', invocationSpec.scope) }]
        : []);

    for (const authorization of authorizations) {
      const number = ++authorizationCount;
      const at = authorization.at ?? startedAt;
      const outcome = authorization.outcome ?? 'success';
      const issued =
        outcome === 'success'
          ? [
              issue('device_code', String(number), at, index, number),
              issue('user_code', String(number), at, index, number),
            ]
          : [];
      own.push({
        ...request(at, 'device_authorization', outcome),
        ...optional('durationMs', authorization.durationMs),
        scope: authorization.scope ?? 'openid',
        ...(outcome === 'success'
          ? { deviceCode: credential('device_code', number).fingerprint, intervalInForce: interval }
          : {}),
        issued,
      });
      let slowDowns = 0;
      (authorization.polls ?? []).forEach(([pollAt, pollOutcome], pollIndex) => {
        own.push({
          ...request(pollAt, 'token', pollOutcome),
          grantType: DEVICE_CODE_GRANT,
          scope: authorization.scope ?? 'openid',
          deviceCode: credential('device_code', number).fingerprint,
          poll: pollIndex + 1,
          intervalInForce: interval + SLOW_DOWN_STEP_SECONDS * slowDowns,
          presented: [credential('device_code', number)],
          issued: pollOutcome === 'success' ? tokens(String(number), pollAt, index, number) : [],
          ...(pollOutcome === 'server_error_injected' ? { injected: 'server-error' as const } : {}),
          ...(pollOutcome === 'connection_dropped' ? { injected: 'drop' as const } : {}),
        });
        if (pollOutcome === 'slow_down') slowDowns += 1;
      });
    }

    for (const extra of invocationSpec.requests ?? []) {
      const outcome = extra.outcome ?? 'success';
      own.push({
        ...request(extra.at, extra.endpoint, outcome),
        ...optional('grantType', extra.grantType),
        ...optional('scope', extra.scope),
        ...(extra.status === undefined ? {} : { status: extra.status }),
        presented: extra.presented ?? [],
        issued:
          extra.mints && outcome === 'success'
            ? tokens(extra.mints, extra.at, index, undefined)
            : [],
      });
    }

    own.push(...(invocationSpec.egress ?? []).map(egressEventOf));

    const lastRequest = Math.max(startedAt, ...own.map((event) => event.t));
    const endedAt = invocationSpec.endedAt ?? lastRequest + 200;
    const timedOut = invocationSpec.timedOut ?? false;
    // Unless given: null when it never ended on its own; otherwise set once the run is built.
    const exitCode =
      invocationSpec.exitCode !== undefined
        ? invocationSpec.exitCode
        : timedOut || invocationSpec.spawnError
          ? null
          : undefined;
    const hits = (invocationSpec.hits ?? []).map(hitOf);
    invocations.push({
      index,
      task: invocationSpec.task ?? DEFAULT_TASK,
      command: ['mycli', 'repos', 'list'],
      startedAt,
      endedAt,
      exitCode: exitCode ?? null,
      signal: timedOut ? 'SIGKILL' : null,
      timedOut,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      graceEndedAt: endedAt + GRACE_MS,
      leftovers: invocationSpec.leftovers ?? [],
      spawnError: invocationSpec.spawnError,
      output: {
        stdout: { bytes: 0, lines: 0, truncated: false },
        stderr: { bytes: 0, lines: 0, truncated: false },
      },
      hits,
      files: hits.flatMap(fileOf),
      ...(invocationSpec.processes && {
        processes: processRecordOf(invocationSpec.processes, startedAt),
      }),
    });
    if (exitCode === undefined) exitsByOutcome.push(invocations.length - 1);
    requests.push(...own);
    nextStart = Math.max(endedAt + GRACE_MS, lastRequest) + 1000;
  });

  const task = specs[0]?.task ?? DEFAULT_TASK;
  const scenario = spec.scenario ?? 'approve';
  const events: LabEvent[] = [
    {
      type: 'lab-start',
      seq: 1,
      t: 0,
      startedAt: '2025-01-01T00:00:00.000Z',
      issuer: 'http://127.0.0.1:41234',
      scenario,
      clientId: 'devicebound-cli',
      interval,
      expiresIn,
      tokenTtl: 3600,
    },
    ...requests
      .sort((a, b) => a.t - b.t)
      .map((event, position): RequestEvent | EgressEvent => ({ ...event, seq: position + 2 })),
  ];

  const run: ScenarioRun = {
    task,
    scenario,
    lab: {
      issuer: 'http://127.0.0.1:41234',
      clientId: 'devicebound-cli',
      interval,
      expiresIn,
      tokenTtl: 3600,
      slowDownPolls: [],
      faultPolls: {},
      autoDecision: null,
      issueRefreshTokens: true,
      allowRefresh: true,
    },
    events,
    canaries,
    invocations,
    notes: [],
  };
  // A well-behaved program by default: exit 0 when it got a token, 1 when it did not.
  for (const position of exitsByOutcome) {
    const invocation = invocations[position];
    if (invocation) invocation.exitCode = obtainedToken(run, invocation) ? 0 : 1;
  }
  return run;
}

/** A request at the lab's protected resource with a bearer token. */
export function resourceRequest(
  at: number,
  token: CredentialRef,
  outcome = 'success',
): RequestSpec {
  return { at, endpoint: 'resource', outcome, presented: [token] };
}

/** A refresh_token grant; a successful one issues new tokens labelled `mints`. */
export function refreshRequest(
  at: number,
  refreshToken: CredentialRef,
  options: { scope?: string; outcome?: string; mints?: string } = {},
): RequestSpec {
  return {
    at,
    endpoint: 'token',
    grantType: 'refresh_token',
    presented: [refreshToken],
    ...options,
  };
}

function egressEventOf(spec: EgressSpec): Omit<EgressEvent, 'seq'> {
  const url = new URL(spec.url);
  const scheme =
    url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : 'unknown';
  const action = spec.action ?? (spec.carried ? 'intercepted' : 'refused');
  const method =
    spec.method ?? (action === 'intercepted' ? 'POST' : scheme === 'https' ? 'CONNECT' : 'GET');
  return {
    type: 'egress',
    t: spec.at,
    method,
    scheme,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || (scheme === 'http' ? 80 : 443)),
    ...(method === 'CONNECT' ? {} : { path: url.pathname }),
    action,
    reason:
      action === 'refused'
        ? 'not a host this task plays'
        : 'read and answered 503 (nothing forwarded)',
    ...(spec.carried && { carried: spec.carried.map(carriedOf) }),
    ...(action === 'intercepted' && { bodyBytes: 512 }),
    ...optional('contentEncoding', spec.contentEncoding),
  };
}

function carriedOf(spec: CarriedSpec): EgressCarried {
  const made = secret(spec.kind, spec.of ?? 1);
  return {
    kind: spec.kind,
    fingerprint: made.fingerprint,
    preview: made.preview,
    encoding: spec.encoding ?? 'raw',
    where: spec.where,
    ...optional('header', spec.header),
  };
}

function request(t: number, endpoint: LabEndpoint, outcome: string): Omit<RequestEvent, 'seq'> {
  return {
    type: 'request',
    t,
    durationMs: 2,
    method: endpoint === 'resource' || endpoint === 'metadata' ? 'GET' : 'POST',
    path: `/${endpoint}`,
    endpoint,
    clientId: 'devicebound-cli',
    status: statusOf(outcome),
    outcome,
    presented: [],
    issued: [],
  };
}

function statusOf(outcome: string): number {
  if (outcome === 'success') return 200;
  if (outcome === 'server_error_injected') return 503;
  if (outcome === 'connection_dropped') return 0;
  if (outcome === 'server_error') return 500;
  if (outcome === 'invalid_client' || outcome === 'invalid_token') return 401;
  return 400;
}

function processRecordOf(specs: ProcessSpec[], startedAt: number): ProcessRecord {
  return {
    method: 'strace',
    count: specs.length,
    started: specs.map((spec, i) => ({
      pid: spec.pid ?? 4000 + i,
      at: spec.at ?? startedAt + 1000,
      name: spec.name,
      argc: 3,
      envc: 20,
      hits: (spec.hits ?? []).map(({ kind, of, encoding, where, index, variable }) => {
        const made = secret(kind, of ?? 1);
        return {
          canary: made.fingerprint,
          kind,
          preview: made.preview,
          encoding: encoding ?? 'raw',
          where,
          ...(index !== undefined && { index }),
          ...(variable !== undefined && { variable }),
        };
      }),
    })),
  };
}

function hitOf(spec: HitSpec): CanaryHit {
  const made = secret(spec.kind, spec.of ?? 1);
  let location: HitLocation;
  if ('stream' in spec) {
    location = { type: 'stream', stream: spec.stream, line: spec.line ?? 1, at: spec.at };
  } else {
    const { root, path } = parseFile(spec.file);
    location = { type: 'file', root, path, mode: spec.mode ?? 0o100644, size: 512 };
  }
  return {
    canary: made.fingerprint,
    kind: spec.kind,
    preview: made.preview,
    encoding: spec.encoding ?? 'raw',
    offset: 0,
    location,
  };
}

function parseFile(file: string): { root: RootName; path: string } {
  if (file.startsWith('~/')) return { root: 'HOME', path: file.slice(2) };
  const named = /^\$([A-Z_]+)\/(.*)$/.exec(file);
  if (named?.[1] && named[2] !== undefined) return { root: named[1] as RootName, path: named[2] };
  return { root: 'cwd', path: file.replace(/^\.\//, '') };
}

function fileOf(hit: CanaryHit): FileRecord[] {
  const { location } = hit;
  if (location.type !== 'file') return [];
  return [
    {
      root: location.root,
      path: location.path,
      size: location.size,
      mode: location.mode,
      change: 'created',
    },
  ];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ── Policies and contexts ───────────────────────────────────────────────────────────────────

/** A task's policy with every default applied, as the policy loader makes it. */
export function taskPolicy(name: string, overrides: Partial<TaskPolicy> = {}): TaskPolicy {
  return {
    name,
    run: ['mycli', 'repos', 'list'],
    env: {},
    scopes: { allow: DEFAULT_ALLOWED_SCOPES },
    session: 'ephemeral',
    refresh: 'forbidden',
    storage: 'none',
    timeoutMs: DEFAULT_TIMEOUT_MS,
    stdin: undefined,
    cwd: '/project',
    source: undefined,
    ...overrides,
  };
}

export interface PolicyOverrides {
  /** Overrides for every task's policy. */
  policy?: Partial<TaskPolicy>;
  /** Overrides per task, on top of `policy`. */
  policies?: Record<string, Partial<TaskPolicy>>;
}

export function contextFor(run: ScenarioRun, overrides: PolicyOverrides = {}): CheckContext {
  const policyFor = (task: string) =>
    taskPolicy(task, { ...overrides.policy, ...overrides.policies?.[task] });
  return { run, policy: policyFor(run.task), policyFor };
}

// ── The tester ──────────────────────────────────────────────────────────────────────────────

export interface CheckCase extends PolicyOverrides {
  /** Why the run is inside (valid) or outside (invalid) the boundary: the test's name. */
  why: string;
  run: ScenarioRun;
}

export interface InvalidCheckCase extends CheckCase {
  message?: RegExp;
  /** The finding's severity, when the check lowers it for this case. */
  severity?: Severity;
  /** How many evidence items, or a pattern per item that its summary must match, in order. */
  evidence?: number | RegExp[];
}

export interface CheckCases {
  valid: readonly CheckCase[];
  invalid: readonly InvalidCheckCase[];
}

/** Evaluates a case as the engine would, on a frozen run so that a check cannot change it. */
export function evaluateCase(check: Check, testCase: CheckCase): Violation | null {
  return check.evaluate(contextFor(deepFreeze(testCase.run), testCase));
}

/**
 * Registers a check's tests: its metadata, every valid case (no violation) and every invalid
 * case (a violation, matching what the case expects, with no raw secret in it). Like eslint's
 * RuleTester, refuses a check without both valid and invalid cases.
 */
export function testCheck(check: Check, cases: CheckCases): void {
  const { id } = check.meta;
  if (cases.valid.length === 0 || cases.invalid.length === 0) {
    throw new Error(`${id}: a check needs at least one valid and one invalid case`);
  }
  for (const testCase of [...cases.valid, ...cases.invalid]) {
    if (testCase.why.trim() === '') throw new Error(`${id}: every case must say why`);
  }

  describe(id, () => {
    it('has complete metadata', () => expectCompleteMeta(check.meta));

    describe('valid', () => {
      for (const testCase of cases.valid) {
        it(testCase.why, () => expect(evaluateCase(check, testCase)).toBeNull());
      }
    });

    describe('invalid', () => {
      for (const testCase of cases.invalid) {
        it(testCase.why, () => {
          const violation = evaluateCase(check, testCase);
          expect(violation).not.toBeNull();
          if (!violation) return;
          expect(violation.evidence.length).toBeGreaterThan(0);
          if (testCase.message) expect(violation.message).toMatch(testCase.message);
          expect(violation.severity ?? check.meta.severity).toBe(
            testCase.severity ?? check.meta.severity,
          );
          const { evidence } = testCase;
          if (typeof evidence === 'number') expect(violation.evidence).toHaveLength(evidence);
          if (Array.isArray(evidence)) {
            expect(violation.evidence.map((item) => item.summary)).toEqual(
              evidence.map((pattern) => expect.stringMatching(pattern)),
            );
          }
          expect(rawSecretIn(JSON.stringify(violation))).toBeUndefined();
        });
      }
    });
  });
}

const STANDARD =
  /^(RFC \d+ §\d+(\.\d+)*|NHI\d{1,2}:2025|CSF [A-Z]{2}\.[A-Z]{2}-\d{2}|OAuth 2\.1 §\d+(\.\d+)*)$/;

export function expectCompleteMeta(meta: CheckMeta): void {
  expect(SEVERITIES).toContain(meta.severity);
  expect(meta.description).toMatch(/^(Require|Disallow|Enforce) \S/);
  expect(meta.description).not.toMatch(/\n/);
  expect(meta.standards.length).toBeGreaterThan(0);
  for (const standard of meta.standards) expect(standard).toMatch(STANDARD);
  expect(meta.standards).not.toContain('CSF PR.AC-4');
  expect(meta.fix.trim()).not.toBe('');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
