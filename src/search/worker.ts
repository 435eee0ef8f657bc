/**
 * A search worker (see ./pool.ts): for each job, claims files from the job's shared counter
 * (Atomics), searches them with synchronous I/O, and posts results back in batches. Between jobs
 * it waits, warm, for the next.
 */
import { parentPort } from 'node:worker_threads';
import { reasonOf, scanFile, windowBuffer } from './file-scan.ts';
import { Matcher, type PatternSpec } from './matcher.ts';

export interface JobMessage {
  type: 'job';
  job: number;
  /** Same key, same patterns: the worker keeps the last matcher. */
  patternsKey: string;
  patterns: PatternSpec[];
  paths: string[];
  /** Claim order: indexes into `paths`. */
  order: Int32Array;
  /** [0]: next position in `order` to claim; [1 + slot]: set to 1 when this worker starts. */
  state: Int32Array;
  slot: number;
  windowBytes: number;
  maxFileBytes: number;
}

export type WorkerResult =
  | {
      index: number;
      size: number;
      mode: number;
      bytesSearched: number;
      truncated: boolean;
      matches: number[];
    }
  | { index: number; error: string };

export interface ResultMessage {
  type: 'results' | 'done';
  job: number;
  results: WorkerResult[];
}

const BATCH_MS = 25;

let cached: { key: string; matcher: Matcher; windowBytes: number; buffer: Buffer } | undefined;

async function runJob(message: JobMessage, port: NonNullable<typeof parentPort>): Promise<void> {
  if (cached?.key !== message.patternsKey || cached.windowBytes !== message.windowBytes) {
    const matcher = new Matcher(message.patterns);
    cached = {
      key: message.patternsKey,
      matcher,
      windowBytes: message.windowBytes,
      buffer: windowBuffer(matcher, message.windowBytes),
    };
  }
  const { matcher, buffer } = cached;
  Atomics.store(message.state, 1 + message.slot, 1);
  let batch: WorkerResult[] = [];
  let since = performance.now();
  for (;;) {
    const position = Atomics.add(message.state, 0, 1);
    if (position >= message.order.length) break;
    const index = message.order[position] as number;
    try {
      const path = message.paths[index] as string;
      batch.push({ index, ...(await scanFile(path, matcher, buffer, message.maxFileBytes)) });
    } catch (error) {
      batch.push({ index, error: reasonOf(error) });
    }
    if (performance.now() - since >= BATCH_MS) {
      port.postMessage({
        type: 'results',
        job: message.job,
        results: batch,
      } satisfies ResultMessage);
      batch = [];
      since = performance.now();
    }
  }
  port.postMessage({ type: 'done', job: message.job, results: batch } satisfies ResultMessage);
}

if (parentPort) {
  const port = parentPort;
  // One job at a time, in the order they came.
  let queue = Promise.resolve();
  port.on('message', (message: JobMessage) => {
    queue = queue.then(() => runJob(message, port));
  });
}
