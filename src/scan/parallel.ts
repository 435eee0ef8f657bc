/**
 * Worker threads for big scans, one `FileScanner` each (a worker costs about 0.35 s of CPU to
 * load and warm up: see `WalkOptions.parallelFromBytes`). The walk stays in the calling thread
 * and feeds a queue that this thread and the workers drain (./walk.ts); results come back as
 * plain data and are put in walk order there, so a report does not depend on which thread
 * finished first.
 *
 * A worker that dies fails only its file in flight; the walk scans that one itself.
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
export type WorkerReply =
  | { id: number; result: FileResult }
  | { id: number; error: string }
  /** Sent once, when the worker has loaded and can take files. */
  | { ready: true };

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

/** One worker thread: scans the files it is given, one at a time, in order. */
export class ScanWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #gone: string | undefined;
  /** Resolves true once the worker has loaded and can take files, false if it died first. */
  readonly loaded: Promise<boolean>;

  constructor(setup: WorkerSetup) {
    this.#worker = new Worker(WORKER_URL, { workerData: setup });
    let settle: (ready: boolean) => void = () => {};
    this.loaded = new Promise((resolve) => {
      settle = resolve;
    });
    this.#worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        settle(true);
        return;
      }
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.result);
    });
    const fail = (reason: string) => {
      if (this.#gone !== undefined) return;
      this.#gone = reason;
      settle(false);
      for (const waiting of this.#pending.values()) waiting.reject(new Error(reason));
      this.#pending.clear();
    };
    this.#worker.on('error', (error) => fail(`scan worker failed: ${error.message}`));
    this.#worker.on('exit', (code) => fail(`scan worker exited with code ${code}`));
  }

  /** Scans `job` in the worker; rejects if the worker is gone or dies meanwhile. */
  scan(job: FileJob): Promise<FileResult> {
    if (this.#gone !== undefined) return Promise.reject(new Error(this.#gone));
    const id = this.#next++;
    return new Promise<FileResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, job } satisfies WorkerRequest);
    });
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}
