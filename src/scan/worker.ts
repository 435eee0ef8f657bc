/**
 * A scan worker (see ./parallel.ts): one `FileScanner` with the scan's settings, fed one file at
 * a time, in the order they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { reasonOf } from '../search/file-scan.ts';
import type { Detector } from './content.ts';
import { FileScanner } from './file.ts';
import {
  rebuildNeedles,
  type WorkerReply,
  type WorkerRequest,
  type WorkerSetup,
} from './parallel.ts';
import { RULES } from './rules/index.ts';
import { excluded } from './walk.ts';

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const detector: Detector =
    setup.detector.type === 'rules'
      ? { type: 'rules', rules: RULES }
      : { type: 'canaries', needles: rebuildNeedles(setup.detector) };
  const scanner = new FileScanner({
    detector,
    limits: setup.limits,
    content: setup.content,
    isExcluded: (member) => excluded(member, setup.exclude),
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      let reply: WorkerReply;
      try {
        reply = { id: request.id, result: await scanner.scan(request.job) };
      } catch (error) {
        reply = { id: request.id, error: reasonOf(error) };
      }
      port.postMessage(reply);
    });
  });
}
