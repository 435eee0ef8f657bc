/**
 * The one evidence model. Every source (a `check` run today; HAR and proxy captures, real CLIs
 * over TLS and saved files later) produces `Evidence`; every check judges it; nothing in it is
 * a raw secret — credentials appear as kind + `sha256:` fingerprint + redacted preview.
 *
 * Times are lab milliseconds (monotonic, from the lab's start) so that request events, process
 * starts and exits and output lines share one clock.
 */

import type { LabEvent } from './events.ts';
import type {
  AfterApprovalFault,
  CanaryEncoding,
  CanaryKind,
  DialectName,
  RunScenario,
  Severity,
} from './names.ts';
import type { Fingerprint } from './secret.ts';

export const EVIDENCE_VERSION = 1;

export interface Evidence {
  evidenceVersion: typeof EVIDENCE_VERSION;
  tool: { name: 'devicebound'; version: string };
  /** Wall-clock ISO time the run started. */
  createdAt: string;
  /** The policy the runs were made under, so saved evidence can be judged again as it was. */
  policy: JudgedPolicy;
  runs: ScenarioRun[];
}

/** The parts of a policy that checks read (no env values or stdin: they may hold secrets). */
export interface JudgedPolicy {
  source: string | null;
  failOn: Severity;
  clientId: string;
  tasks: JudgedTask[];
}

/**
 * The parts of a task's policy that checks and reports read, saved with the evidence. The
 * policy's `TaskPolicy` extends it with what only running needs (env, stdin, the program).
 */
export interface JudgedTask {
  name: string;
  /** argv of the program under test. */
  run: string[];
  /**
   * v2: the command as reports show it, when what runs is not what the user wrote (`demo` runs
   * its samples with this Node by absolute path; it shows `node` and the sample's path).
   */
  shown?: string[];
  scopes: { allow: string[] };
  /** `reuse`: a later task may use this task's credential without a new device authorization. */
  session: 'ephemeral' | 'reuse';
  refresh: 'forbidden' | 'allowed';
  /** `none`: no credential in any file; `keyring`: only in the OS keyring (never a plain file);
   * a list: file globs where storing is allowed (`~/` is HOME, others relative to cwd). */
  storage: 'none' | 'keyring' | string[];
  timeoutMs: number;
  /** Working directory; absolute. */
  cwd: string;
  /** v2 (analyze): the longest an access token may live, ms; default one hour. */
  maxTokenLifetimeMs?: number;
  /** Where this task is defined, for messages and SARIF locations. */
  source: { file: string; line: number } | undefined;
  /** The preset the task was made from, if any. */
  preset?: string | undefined;
  /** How the played hosts speak. Default `generic`. */
  dialect?: DialectName;
  /** Host names the lab plays through the egress proxy (lower case). */
  hosts?: string[];
  /** The scopes the program asks for on its own (from its preset), for reports. */
  requestedScopes?: string[];
  /**
   * v2: what the egress proxy does with destinations the task does not play: `intercept` reads
   * and searches each request (TLS with the run CA) and answers 503; `refuse` refuses without
   * reading. `allow`: host globs the program may reach without an `unexpected-egress` finding.
   */
  egress?: EgressPolicy;
}

export interface EgressPolicy {
  mode: 'intercept' | 'refuse';
  allow: string[];
}

/** Everything observed for one (task, scenario). */
export interface ScenarioRun {
  task: string;
  /** A lab scenario, or `capture` for a run rebuilt from traffic (`analyze`). */
  scenario: RunScenario;
  /** The server the program talked to, as configured for this scenario. */
  lab: LabDescription;
  /** Every request and decision the source recorded, in order. */
  events: LabEvent[];
  /** Every credential the lab issued in this scenario. */
  canaries: CanaryRecord[];
  /** One program run, or two in the `session` scenario (same sandbox, same lab). */
  invocations: Invocation[];
  /** Problems the harness met that did not stop the run (unreadable files, loops, caps). */
  notes: string[];
}

/**
 * The authorization server of a run. Checks read only `interval` and `expiresIn`; the rest
 * describes how the lab was set up, and a source that only watched the traffic (a capture) may
 * leave it out.
 */
export interface LabDescription {
  issuer: string;
  clientId: string;
  /** Announced interval, seconds. */
  interval: number;
  /** Announced device_code lifetime, seconds. */
  expiresIn: number;
  /** Lab-only: access and ID token lifetime, seconds. */
  tokenTtl?: number;
  /** Lab-only: polls (1-based, per device_code) answered with `slow_down`. */
  slowDownPolls?: number[];
  /** Lab-only: polls (1-based, per device_code) answered with a fault. */
  faultPolls?: Record<string, 'server-error' | 'drop'>;
  /** Lab-only (v2): what the lab got wrong once each after approval (the `fault` scenario). */
  afterApprovalFaults?: AfterApprovalFault[];
  /** Lab-only: the scenario's own decision; `null` when a person (or nobody) decides. */
  autoDecision?: {
    decision: 'approve' | 'deny';
    afterSeconds: number;
    afterPolls: number;
  } | null;
  /** Lab-only: refresh tokens were issued with access tokens. */
  issueRefreshTokens?: boolean;
  /** Lab-only: the refresh_token grant was accepted. */
  allowRefresh?: boolean;
  /** v2: the dialect the played hosts spoke; absent for generic. */
  dialect?: string;
  /** v2: the host names the lab played through the egress proxy. */
  hosts?: string[];
  /** v2: the lab's own issuer listened with TLS. */
  tls?: boolean;
}

export interface CanaryRecord {
  kind: CanaryKind;
  fingerprint: Fingerprint;
  preview: string;
  /** Lab time it was issued. */
  issuedAt: number;
  /** The device authorization it stems from. */
  deviceCode: Fingerprint | undefined;
  /** Which invocation (1-based) was running when it was issued. */
  invocation: number;
}

export interface Invocation {
  /** 1-based position in the run. */
  index: number;
  task: string;
  /** The command as given (argv). */
  command: string[];
  /** Lab time the program was started and the time it ended (exit, or kill at timeout). */
  startedAt: number;
  endedAt: number;
  exitCode: number | null;
  signal: string | null;
  /** The program was still running at its timeout and was killed. */
  timedOut: boolean;
  timeoutMs: number;
  /** Lab time the grace period after exit ended (polls until then are still recorded). */
  graceEndedAt: number;
  /** Processes of the run still alive after the grace period (then killed). */
  leftovers: LeftoverProcess[];
  /** The program could not be started at all (e.g. command not found). */
  spawnError: string | undefined;
  output: { stdout: StreamSummary; stderr: StreamSummary };
  /** Canaries found in stdout/stderr and in files after the run. */
  hits: CanaryHit[];
  /** Files created or changed during the run, in the sandbox and the working directory. */
  files: FileRecord[];
  /** v2: the programs the run started (execve), with credentials found in their argv or env. */
  processes?: ProcessRecord;
  /**
   * v2: a run that failed (non-zero exit, killed at its timeout): the last lines it wrote to
   * stderr, in its own words, with every issued credential and every long token-like value
   * withheld; absent when it wrote nothing.
   */
  said?: string;
}

/**
 * v2: the processes a program run started. `strace` records every successful exec, however
 * short-lived the child; `sample` reads /proc every few ms and can miss a short child; `off`
 * records nothing. Names, counts and fingerprints only: never an argument or a variable's value.
 */
export interface ProcessRecord {
  method: 'strace' | 'sample' | 'off';
  /** What limits the record (sampling, a trace that could not be read), for reports. */
  note?: string;
  /** Execs recorded, the program's own first. */
  count: number;
  /** Every started process with a hit, and the first ones without (up to a cap). */
  started: StartedProcess[];
}

export interface StartedProcess {
  pid: number;
  /** Lab time of the exec (strace) or of its first sighting (sample). */
  at?: number;
  /** The executable's file name only. */
  name: string;
  argc: number;
  envc: number;
  hits: ProcessHit[];
}

/** A canary in a started process's argv (with the argument's index) or environment. */
export interface ProcessHit {
  canary: Fingerprint;
  kind: CanaryKind;
  preview: string;
  encoding: CanaryEncoding;
  where: 'argv' | 'env';
  /** argv: the argument's position (0 is the program's name). */
  index?: number;
  /** env: the variable's name, left out when the canary is in the name itself. */
  variable?: string;
}

export interface LeftoverProcess {
  pid: number;
  /** The executable's name only (arguments may hold secrets). */
  name: string;
}

export interface StreamSummary {
  bytes: number;
  lines: number;
  /** More than the cap was written; only the first part was kept and searched. */
  truncated: boolean;
}

/** Where the sandbox folders and the working directory are, as named roots. */
export const ROOT_NAMES = [
  'HOME',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'TMPDIR',
  'cwd',
] as const;
export type RootName = (typeof ROOT_NAMES)[number];

export { CANARY_ENCODINGS, type CanaryEncoding } from './names.ts';

export type HitLocation =
  | { type: 'stream'; stream: 'stdout' | 'stderr'; line: number; at: number | undefined }
  | { type: 'file'; root: RootName; path: string; mode: number; size: number };

export interface CanaryHit {
  canary: Fingerprint;
  kind: CanaryKind;
  preview: string;
  encoding: CanaryEncoding;
  /** Byte offset in the file or stream. */
  offset: number;
  location: HitLocation;
}

export interface FileRecord {
  root: RootName;
  /** Path relative to its root, with `/` separators. */
  path: string;
  size: number;
  mode: number;
  change: 'created' | 'modified';
}
