/**
 * The shape of saved evidence, every field of every event, for `parseEvidence`. Objects are
 * strict: a field this version does not know is refused, so a typo cannot be judged as absent.
 * The schema only validates; the file's own objects are what the checks then read.
 */
import { z } from 'zod';
import { LAB_ENDPOINTS } from './events.ts';
import { EVIDENCE_VERSION, type Evidence, ROOT_NAMES } from './model.ts';
import {
  AFTER_APPROVAL_FAULTS,
  CANARY_ENCODINGS,
  CANARY_KINDS,
  CAPTURE_SCENARIO,
  DIALECT_NAMES,
  INJECTED_FAULTS,
  SCENARIOS,
  SEVERITIES,
} from './names.ts';

const fingerprint = z.templateLiteral(['sha256:', z.string().regex(/^[0-9a-f]{64}$/)], {
  error: 'expected a sha256: fingerprint (64 lower-case hex digits)',
});
/** Lab milliseconds: from the source's start, never before it. */
const labTime = z.number().nonnegative();
const count = z.number().int().nonnegative();
const position = z.number().int().min(1);
const strings = z.array(z.string());
const optional = <T extends z.ZodType>(schema: T) => schema.exactOptional();
/** A field the model types as `T | undefined`: JSON leaves it out when it is undefined. */
const absentable = <T extends z.ZodType>(schema: T) => schema.optional();

const credentialRef = z.strictObject({ kind: z.enum(CANARY_KINDS), fingerprint });

const sequenced = { seq: position, t: labTime };

const requestEvent = z.strictObject({
  type: z.literal('request'),
  ...sequenced,
  durationMs: z.number().nonnegative(),
  method: z.string(),
  path: z.string(),
  host: optional(z.string()),
  dialect: optional(z.enum(DIALECT_NAMES)),
  endpoint: z.enum(LAB_ENDPOINTS),
  grantType: optional(z.string()),
  wireGrantType: optional(z.string()),
  operation: optional(z.string()),
  clientId: optional(z.string()),
  scope: optional(z.string()),
  deviceCode: optional(fingerprint),
  poll: optional(position),
  intervalInForce: optional(z.number().nonnegative()),
  scheme: optional(z.string()),
  entry: optional(z.strictObject({ file: z.string(), index: count, line: position })),
  tokenLifetime: optional(z.number().nonnegative()),
  expiresIn: optional(z.number().positive()),
  status: z.number().int().min(0).max(999),
  outcome: z.string(),
  wireError: optional(z.string()),
  injected: optional(z.enum(INJECTED_FAULTS)),
  presented: z.array(credentialRef),
  issued: z.array(credentialRef),
});

const decisionEvent = z.strictObject({
  type: z.literal('decision'),
  ...sequenced,
  decision: z.enum(['approved', 'denied']),
  by: z.enum(['scenario', 'page', 'api']),
  deviceCode: fingerprint,
});

const markerEvent = z.strictObject({
  type: z.literal('marker'),
  ...sequenced,
  label: z.string(),
  data: optional(
    z.record(
      z.string(),
      z.union([z.string(), z.number(), z.boolean(), z.null()], {
        error: 'expected a string, a number, true or false, or null',
      }),
    ),
  ),
});

const labStartEvent = z.strictObject({
  type: z.literal('lab-start'),
  ...sequenced,
  startedAt: z.string(),
  issuer: z.string(),
  dialect: optional(z.enum(DIALECT_NAMES)),
  hosts: optional(strings),
  proxy: optional(z.string()),
  scenario: z.string(),
  clientId: z.string(),
  interval: z.number().nonnegative(),
  expiresIn: z.number().nonnegative(),
  tokenTtl: z.number().nonnegative(),
});

const egressEvent = z.strictObject({
  type: z.literal('egress'),
  ...sequenced,
  method: z.string(),
  scheme: z.enum(['http', 'https', 'unknown']),
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  path: optional(z.string()),
  action: z.enum(['refused', 'intercepted', 'observed']),
  reason: z.string(),
  carried: optional(
    z.array(
      z.strictObject({
        kind: z.enum(CANARY_KINDS),
        fingerprint,
        preview: z.string(),
        encoding: z.enum(CANARY_ENCODINGS),
        where: z.enum(['url', 'header', 'body']),
        header: optional(z.string()),
      }),
    ),
  ),
  bodyBytes: optional(z.number().int().nonnegative()),
  contentEncoding: optional(z.string()),
});

export const labEventSchema = z.discriminatedUnion('type', [
  requestEvent,
  decisionEvent,
  markerEvent,
  labStartEvent,
  egressEvent,
]);

const labDescription = z.strictObject({
  issuer: z.string(),
  clientId: z.string(),
  interval: z.number({ error: 'expected a number' }).nonnegative(),
  expiresIn: z.number().nonnegative(),
  tokenTtl: optional(z.number().nonnegative()),
  slowDownPolls: optional(z.array(position)),
  faultPolls: optional(z.record(z.string().regex(/^[1-9]\d*$/), z.enum(['server-error', 'drop']))),
  afterApprovalFaults: optional(z.array(z.enum(AFTER_APPROVAL_FAULTS))),
  autoDecision: optional(
    z
      .strictObject({
        decision: z.enum(['approve', 'deny']),
        afterSeconds: z.number().nonnegative(),
        afterPolls: count,
      })
      .nullable(),
  ),
  issueRefreshTokens: optional(z.boolean()),
  allowRefresh: optional(z.boolean()),
  dialect: optional(z.string()),
  hosts: optional(strings),
  tls: optional(z.boolean()),
});

const canaryRecord = z.strictObject({
  kind: z.enum(CANARY_KINDS),
  fingerprint,
  preview: z.string(),
  issuedAt: labTime,
  deviceCode: absentable(fingerprint),
  invocation: position,
});

const rootName = z.enum(ROOT_NAMES);

const hitLocation = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('stream'),
    stream: z.enum(['stdout', 'stderr']),
    line: position,
    at: absentable(labTime),
  }),
  z.strictObject({
    type: z.literal('file'),
    root: rootName,
    path: z.string(),
    mode: count,
    size: count,
  }),
]);

const canaryHit = z.strictObject({
  canary: fingerprint,
  kind: z.enum(CANARY_KINDS),
  preview: z.string(),
  encoding: z.enum(CANARY_ENCODINGS),
  offset: count,
  location: hitLocation,
});

const fileRecord = z.strictObject({
  root: rootName,
  path: z.string(),
  size: count,
  mode: count,
  change: z.enum(['created', 'modified']),
});

const streamSummary = z.strictObject({ bytes: count, lines: count, truncated: z.boolean() });

const processHit = z.strictObject({
  canary: fingerprint,
  kind: z.enum(CANARY_KINDS),
  preview: z.string(),
  encoding: z.enum(CANARY_ENCODINGS),
  where: z.enum(['argv', 'env']),
  index: optional(count),
  variable: optional(z.string()),
});

const processRecord = z.strictObject({
  method: z.enum(['strace', 'sample', 'off']),
  note: optional(z.string()),
  count,
  started: z.array(
    z.strictObject({
      pid: z.number().int(),
      at: optional(labTime),
      name: z.string(),
      argc: count,
      envc: count,
      hits: z.array(processHit),
    }),
  ),
});

const invocation = z.strictObject({
  index: position,
  task: z.string(),
  command: strings,
  startedAt: labTime,
  endedAt: labTime,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  timeoutMs: z.number().nonnegative(),
  graceEndedAt: labTime,
  leftovers: z.array(z.strictObject({ pid: z.number().int(), name: z.string() })),
  spawnError: absentable(z.string()),
  output: z.strictObject({ stdout: streamSummary, stderr: streamSummary }),
  hits: z.array(canaryHit),
  files: z.array(fileRecord),
  processes: optional(processRecord),
  said: optional(z.string()),
});

const scenarioRun = z.strictObject({
  task: z.string({ error: 'expected a task name' }),
  scenario: z.enum([...SCENARIOS, CAPTURE_SCENARIO]),
  lab: labDescription,
  events: z.array(labEventSchema, { error: 'expected the lab events' }),
  canaries: z.array(canaryRecord, { error: 'expected the canary list' }),
  invocations: z.array(invocation, { error: 'expected the program runs' }),
  notes: strings,
  /** Where the sandbox was kept (`check --keep-sandbox`); not read by any check. */
  sandbox: optional(z.string()),
});

const judgedTask = z.strictObject({
  name: z.string(),
  run: strings,
  scopes: z.strictObject({ allow: strings }),
  session: z.enum(['ephemeral', 'reuse']),
  refresh: z.enum(['forbidden', 'allowed']),
  storage: z.union([z.literal('none'), z.literal('keyring'), strings], {
    error: "expected 'none', 'keyring' or a list of file globs",
  }),
  timeoutMs: z.number().nonnegative(),
  cwd: z.string(),
  source: absentable(z.strictObject({ file: z.string(), line: position })),
  preset: absentable(z.string()),
  dialect: optional(z.enum(DIALECT_NAMES)),
  hosts: optional(strings),
  requestedScopes: optional(strings),
  maxTokenLifetimeMs: optional(z.number().nonnegative()),
  shown: optional(strings),
});

const judgedPolicy = z.strictObject(
  {
    source: z.string().nullable(),
    failOn: z.enum(SEVERITIES),
    clientId: z.string(),
    tasks: z.array(judgedTask, { error: 'expected the saved policy' }),
  },
  { error: 'expected the saved policy' },
);

/**
 * Saved evidence. Checked against the model at compile time: whatever the schema accepts is
 * `Evidence`, up to fields typed `T | undefined`, which JSON leaves out.
 */
export const evidenceSchema: z.ZodType<AsSaved<Evidence>> = z.strictObject({
  evidenceVersion: z.literal(EVIDENCE_VERSION),
  tool: z.strictObject({ name: z.literal('devicebound'), version: z.string() }),
  createdAt: z.string(),
  policy: judgedPolicy,
  runs: z.array(scenarioRun, { error: 'expected a list of scenario runs' }),
});

/** `T` as JSON holds it: a field typed `X | undefined` may be absent. */
type AsSaved<T> = T extends readonly (infer U)[]
  ? AsSaved<U>[]
  : T extends object
    ? { [K in keyof T as undefined extends T[K] ? never : K]: AsSaved<T[K]> } & {
        [K in keyof T as undefined extends T[K] ? K : never]?: AsSaved<T[K]>;
      }
    : T;
