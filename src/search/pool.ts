/**
 * The search workers: started on first need, kept warm between searches (a worker costs tens to
 * hundreds of milliseconds of CPU to start, as much as searching 100 MB), and ended after a
 * minute without work. Idle workers never keep the process alive (they are unref'd).
 */
import { Worker } from 'node:worker_threads';
import type { JobMessage, ResultMessage, WorkerResult } from './worker.ts';

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url,
);
const IDLE_MS = 60_000;

interface Handler {
  onResults: (results: WorkerResult[]) => void;
  done: () => void;
  fail: (reason: string) => void;
}

class Member {
  readonly worker: Worker;
  readonly handlers = new Map<number, Handler>();
  failed = false;
  #idle: NodeJS.Timeout | undefined;

  constructor(onGone: (member: Member) => void) {
    this.worker = new Worker(WORKER_URL);
    this.worker.unref();
    this.worker.on('message', (message: ResultMessage) => {
      const handler = this.handlers.get(message.job);
      if (!handler) return;
      handler.onResults(message.results);
      if (message.type === 'done') {
        this.handlers.delete(message.job);
        handler.done();
        this.#settle();
      }
    });
    const gone = (reason: string) => {
      if (this.failed) return;
      this.failed = true;
      onGone(this);
      for (const handler of this.handlers.values()) handler.fail(reason);
      this.handlers.clear();
    };
    this.worker.on('error', (error) =>
      gone(error instanceof Error ? error.message : String(error)),
    );
    this.worker.on('exit', (code) => gone(`exited with code ${code}`));
  }

  post(message: JobMessage, handler: Handler): void {
    clearTimeout(this.#idle);
    this.handlers.set(message.job, handler);
    // Keep the process alive while a search waits for this worker.
    this.worker.ref();
    this.worker.postMessage(message);
  }

  /** The search no longer waits for this job (the worker found it had nothing left to do). */
  forget(job: number): void {
    this.handlers.delete(job);
    this.#settle();
  }

  #settle(): void {
    if (this.handlers.size > 0) return;
    this.worker.unref();
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => void this.worker.terminate(), IDLE_MS).unref();
  }
}

const members: Member[] = [];

/** `count` workers, started if need be. */
export function acquireWorkers(count: number): Member[] {
  while (members.length < count) {
    members.push(
      new Member((gone) => {
        const at = members.indexOf(gone);
        if (at !== -1) members.splice(at, 1);
      }),
    );
  }
  return members.slice(0, count);
}

/** Ends every worker now (tests, and a host that wants a clean exit). */
export async function stopWorkers(): Promise<void> {
  const all = members.splice(0);
  await Promise.all(all.map((member) => member.worker.terminate()));
}

export type { Member as PoolMember };
