import { EventEmitter } from 'node:events';
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.ts';
import type { LabEvent } from '../evidence/events.ts';

type Unsequenced<E> = E extends LabEvent ? Omit<E, 'seq' | 't'> & { t?: number } : never;

export interface TraceOptions {
  /** Write every event as one JSON line to this file (all of them, whatever `keep` says). */
  file?: string | undefined;
  /**
   * Keep only the newest this many events in memory: a long `serve` stays within bounds while
   * `file` still gets everything. Default: every event (`check` judges them all).
   */
  keep?: number | undefined;
}

/**
 * Every event of one lab, in order. Held in memory (`events`, the newest `keep` of them),
 * announced to listeners (`on('event')`), and written as JSON lines when a file is given.
 * `seq` counts every event recorded, kept or not. Events hold fingerprints, never raw
 * credentials.
 */
export class Trace extends EventEmitter<{ event: [LabEvent]; error: [Error] }> {
  /** The kept events; once full, a ring whose oldest entry is at `#oldest`. */
  readonly #kept: LabEvent[] = [];
  #oldest = 0;
  #recorded = 0;
  readonly #keep: number;
  readonly #origin = performance.now();
  readonly #file: WriteStream | undefined;

  constructor(options: TraceOptions = {}) {
    super();
    this.#keep = options.keep ?? Number.POSITIVE_INFINITY;
    this.#file = options.file ? openTraceFile(options.file) : undefined;
    this.#file?.on('error', (error) => this.emit('error', error));
  }

  /**
   * The events kept in memory, oldest first: all of them unless `keep` was given. Live until
   * the first event is dropped; a copy after that.
   */
  get events(): readonly LabEvent[] {
    if (this.#kept.length < this.#keep) return this.#kept;
    return [...this.#kept.slice(this.#oldest), ...this.#kept.slice(0, this.#oldest)];
  }

  /** How many events were recorded, kept in memory or not: the `seq` of the last one. */
  get recorded(): number {
    return this.#recorded;
  }

  /** Monotonic milliseconds since the lab started, to 0.1 ms. */
  now(): number {
    return Math.round((performance.now() - this.#origin) * 10) / 10;
  }

  record<E extends Unsequenced<LabEvent>>(event: E): LabEvent {
    this.#recorded += 1;
    const full = { ...event, seq: this.#recorded, t: event.t ?? this.now() } as LabEvent;
    if (this.#kept.length < this.#keep) this.#kept.push(full);
    else {
      this.#kept[this.#oldest] = full;
      this.#oldest = (this.#oldest + 1) % this.#keep;
    }
    this.#file?.write(`${JSON.stringify(full)}\n`);
    this.emit('event', full);
    return full;
  }

  /** Flushes and closes the trace file, if any. */
  async close(): Promise<void> {
    const file = this.#file;
    if (!file || file.closed) return;
    await new Promise<void>((resolve, reject) => {
      file.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}

/** Opens the trace file at once, so a bad path is a clear usage error rather than a crash later. */
function openTraceFile(file: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(file, 'w', 0o600);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'cannot be opened';
    throw new UsageError(`cannot write the trace file (${reason})`, { file, field: '--trace' });
  }
  return createWriteStream('', { fd });
}
