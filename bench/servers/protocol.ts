// Messages between the benchmark runner and a server child, over the IPC channel of fork().
// stdout stays free for whatever the server under test prints.

/** First message of every child: where it listens. */
export interface ReadyMessage {
  type: 'ready';
  /** Base URL; discovery at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Node version and flags, for the report. */
  node: string;
}

/** A child that could not start says why before it exits. */
export interface FailedMessage {
  type: 'failed';
  message: string;
}

export type Command =
  /** Memory of the child, after garbage collection when it runs with --expose-gc. */
  | { id: number; type: 'stats' }
  /** Lab only: forget the trace's events (to measure what they held). */
  | { id: number; type: 'drop-trace' };

export interface StatsReply {
  id: number;
  type: 'stats';
  memory: NodeJS.MemoryUsage;
  /** Whether the figures were taken after a full garbage collection. */
  collected: boolean;
  /** process.cpuUsage() of the child: CPU time it used so far, in microseconds. */
  cpu: NodeJS.CpuUsage;
  /** Lab only: events in `lab.trace.events`. */
  traceEvents?: number;
}

export interface DoneReply {
  id: number;
  type: 'done';
}

export interface ErrorReply {
  id: number;
  type: 'error';
  message: string;
}

export type Reply = StatsReply | DoneReply | ErrorReply;
export type ChildMessage = ReadyMessage | FailedMessage | Reply;
