/**
 * A search worker: claims files from a shared counter (Atomics), searches them with synchronous
 * I/O, and posts results back in batches. Only started by `searchFiles` in ./search.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { reasonOf, scanFile, windowBuffer } from './file-scan.ts';
import { Matcher, type PatternSpec } from './matcher.ts';

export interface WorkerInput {
  patterns: PatternSpec[];
  paths: string[];
  /** Claim order: indexes into `paths`. */
  order: Int32Array;
  /** [0]: next position in `order` to claim; [1 + slot]: 1 once this worker has started. */
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

export type WorkerMessage = { type: 'results' | 'done'; results: WorkerResult[] };

const BATCH_MS = 25;

async function main(input: WorkerInput, port: NonNullable<typeof parentPort>): Promise<void> {
  const matcher = new Matcher(input.patterns);
  const buffer = windowBuffer(matcher, input.windowBytes);
  Atomics.store(input.state, 1 + input.slot, 1);
  let batch: WorkerResult[] = [];
  let since = performance.now();
  for (;;) {
    const position = Atomics.add(input.state, 0, 1);
    if (position >= input.order.length) break;
    const index = input.order[position] as number;
    try {
      const scan = await scanFile(
        input.paths[index] as string,
        matcher,
        buffer,
        input.maxFileBytes,
      );
      batch.push({ index, ...scan });
    } catch (error) {
      batch.push({ index, error: reasonOf(error) });
    }
    if (performance.now() - since >= BATCH_MS) {
      port.postMessage({ type: 'results', results: batch } satisfies WorkerMessage);
      batch = [];
      since = performance.now();
    }
  }
  port.postMessage({ type: 'done', results: batch } satisfies WorkerMessage);
}

if (parentPort) await main(workerData as WorkerInput, parentPort);
