/**
 * The seam between the runner and whatever answers the program under test and records what it
 * did. The runner makes sandboxes, runs programs, snapshots files and searches for canaries; a
 * source gives it endpoints, a clock, the events it recorded and the credentials it issued.
 * The lab (`lab-source.ts`, with its egress proxy and dialects) is the source of `check`; a
 * test, a replay or a recording proxy can be another.
 */

import type { HarEntry } from '../evidence/har.ts';
import type { ScenarioRun } from '../evidence/model.ts';
import type { ScenarioName } from '../evidence/names.ts';
import type { Canary } from '../lab/index.ts';
import type { TaskPolicy } from '../policy/types.ts';
import type { RunCa } from '../tls/ca.ts';

/** Starts one source per (task, scenario). */
export interface EvidenceSource {
  start(request: SourceRequest): Promise<ScenarioSource>;
}

/** What a source is started for. */
export interface SourceRequest {
  scenario: ScenarioName;
  /** The task that runs first: its dialect, played hosts and TLS shape the source. */
  task: TaskPolicy;
  clientId: string;
  /** A polling interval forced by the policy or `--interval`, seconds; else the scenario's own. */
  interval: number | undefined;
  /** The run's certificate authority (one per `check` run, in memory), for answers over TLS. */
  ca: RunCa;
  /** Told each exchange as a HAR entry, credentials replaced by stand-ins (`--save-har`). */
  onExchange?: (entry: HarEntry) => void;
}

/** One scenario's source, live while its programs run. */
export interface ScenarioSource {
  /** `DEVICEBOUND_ISSUER`: base URL, no trailing slash. */
  readonly issuer: string;
  /** `DEVICEBOUND_RESOURCE`: base URL of the protected resource. */
  readonly resource: string;
  /** `DEVICEBOUND_CLIENT_ID`. */
  readonly clientId: string;
  /** URL of the egress proxy the program is given (`HTTP(S)_PROXY`, …), if the source has one. */
  readonly proxy: string | undefined;
  /** The polling interval announced, seconds: the grace period after each exit follows it. */
  readonly interval: number;
  /** Lifetime of the access tokens issued, seconds: the session scenario waits it out. */
  readonly tokenTtl: number;
  /** Milliseconds on the source's clock, which events, process times and output times share. */
  now(): number;
  /** Every event recorded so far, in order. */
  events(): readonly ScenarioRun['events'][number][];
  /** Every credential issued so far; values only through `secret.reveal()`. */
  canaries(): Canary[];
  /** Records a marker (the runner marks where each program run starts and ends). */
  mark(label: string, data?: Record<string, string | number | boolean | null>): void;
  /** How the source was set up, as the evidence records it. */
  describe(): ScenarioRun['lab'];
  /** Stops answering and flushes what it records. Safe to call twice. */
  close(): Promise<void>;
}
