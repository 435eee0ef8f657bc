// The child side of the IPC protocol: announce readiness, answer commands, die with the parent.
import type { Command, FailedMessage, ReadyMessage, Reply } from './protocol.ts';

type Handler = (command: Command) => Promise<Reply> | Reply;

function send(message: ReadyMessage | FailedMessage | Reply): void {
  if (!process.send)
    throw new Error('this script is started by bench/run.ts (it needs an IPC channel)');
  process.send(message);
}

/** Announces the server and answers the runner's commands until the runner goes away. */
export function serveCommands(ready: Omit<ReadyMessage, 'type' | 'node'>, handle: Handler): void {
  // Parent gone (exited, crashed, killed): nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (command: Command) => {
    Promise.resolve()
      .then(() => handle(command))
      .then(send, (error: unknown) =>
        send({ id: command.id, type: 'error', message: (error as Error).message }),
      );
  });
  send({
    type: 'ready',
    ...ready,
    node: `${process.version} ${process.execArgv.join(' ')}`.trim(),
  });
}

/** Reports a start-up failure to the runner, then exits non-zero. */
export function failStart(error: unknown): never {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  try {
    send({ type: 'failed', message });
  } catch {
    process.stderr.write(`${message}\n`);
  }
  process.exit(1);
}

/**
 * CPU time used so far, and process.memoryUsage() after full collections when the child runs
 * with --expose-gc.
 */
export async function memoryStats(): Promise<{
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
  collected: boolean;
}> {
  const cpu = process.cpuUsage();
  const gc = globalThis.gc;
  if (gc) {
    // Several rounds, letting finalizers and weak callbacks run in between.
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { cpu, memory: process.memoryUsage(), collected: gc !== undefined };
}
