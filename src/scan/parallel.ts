/**
 * Files scanned side by side in worker threads, one `FileScanner` per worker, when a scan is big
 * enough to pay for them (a worker costs tens of milliseconds to start). The walk stays in the
 * calling thread and hands out files; results come back as plain data and are put in walk order
 * by the caller, so a report does not depend on which worker finished first.
 *
 * A worker that dies fails only its files in flight; the caller scans those itself.
 */
import { Worker } from 'node:worker_threads';
import { Needle, NeedleSet } from '../search/needles.ts';
import type { ContentOptions, Detector } from './content.ts';
import type { FileJob, FileResult } from './file.ts';
import type { ScanLimits } from './types.ts';

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url,
);
/** Files in flight per worker: the next one is queued while it reads the current. */
const DEPTH = 2;

/** What a worker is started with: the scan's settings, as plain data. */
export interface WorkerSetup {
  /** `rules`: the built-in rules; `canaries`: these needles (secret bytes, in memory only). */
  detector:
    | { type: 'rules' }
    | { type: 'canaries'; needles: ConstructorParameters<typeof Needle>[0][] };
  exclude: readonly string[];
  limits: ScanLimits;
  content: Partial<ContentOptions>;
}

export type WorkerRequest = { id: number; job: FileJob };
export type WorkerReply = { id: number; result: FileResult } | { id: number; error: string };

/** The detector as a worker can rebuild it; undefined for one it cannot (custom rules). */
export function portableDetector(
  detector: Detector,
  builtIn: readonly unknown[],
): WorkerSetup['detector'] | undefined {
  if (detector.type === 'rules') return detector.rules === builtIn ? { type: 'rules' } : undefined;
  return {
    type: 'canaries',
    needles: detector.needles.needles.map((needle) => ({
      id: needle.id,
      canary: needle.canary,
      encoding: needle.encoding,
      form: needle.form,
      bytes: needle.bytes,
      caseInsensitive: needle.caseInsensitive,
      except: needle.except,
    })),
  };
}

/** The worker side of `portableDetector`. */
export function rebuildNeedles(setup: WorkerSetup['detector'] & { type: 'canaries' }): NeedleSet {
  const needles = setup.needles.map(
    (init) =>
      new Needle({
        ...init,
        bytes: Buffer.from(init.bytes),
        except: init.except && Buffer.from(init.except),
      }),
  );
  const canaries = [...new Map(needles.map((n) => [n.canary.fingerprint, n.canary])).values()];
  return new NeedleSet(needles, canaries);
}

interface Pending {
  resolve: (result: FileResult) => void;
  reject: (error: Error) => void;
}

class Member {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  gone: string | undefined;

  constructor(setup: WorkerSetup, onIdle: () => void) {
    this.worker = new Worker(WORKER_URL, { workerData: setup });
    this.worker.on('message', (reply: WorkerReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.result);
      onIdle();
    });
    const fail = (reason: string) => {
      if (this.gone !== undefined) return;
      this.gone = reason;
      for (const waiting of this.pending.values()) waiting.reject(new Error(reason));
      this.pending.clear();
      onIdle();
    };
    this.worker.on('error', (error) => fail(`scan worker failed: ${error.message}`));
    this.worker.on('exit', (code) => fail(`scan worker exited with code ${code}`));
  }
}

export class ScanPool {
  readonly size: number;
  readonly #members: Member[];
  #next = 0;
  #waiters: (() => void)[] = [];

  constructor(size: number, setup: WorkerSetup) {
    this.size = size;
    this.#members = Array.from({ length: size }, () => new Member(setup, () => this.#wake()));
  }

  /** Resolves when a worker can take another file (at most `DEPTH` in flight each). */
  async ready(): Promise<void> {
    while (!this.#free()) {
      if (this.#members.every((m) => m.gone !== undefined)) return;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Scans `job` in a worker; rejects if no worker is left or the worker dies. */
  scan(job: FileJob): Promise<FileResult> {
    const member = this.#free();
    if (!member) return Promise.reject(new Error('no scan worker left'));
    const id = this.#next++;
    return new Promise<FileResult>((resolve, reject) => {
      member.pending.set(id, { resolve, reject });
      member.worker.postMessage({ id, job } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#members.map((member) => member.worker.terminate()));
    this.#wake();
  }

  #free(): Member | undefined {
    let best: Member | undefined;
    for (const member of this.#members) {
      if (member.gone !== undefined || member.pending.size >= DEPTH) continue;
      if (!best || member.pending.size < best.pending.size) best = member;
    }
    return best;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
