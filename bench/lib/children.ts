// Server children of the benchmark runner: start, talk to over IPC, and always stop.
import { type ChildProcess, fork } from 'node:child_process';
import type {
  ChildMessage,
  Command,
  ReadyMessage,
  Reply,
  StatsReply,
} from '../servers/protocol.ts';

const READY_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 60_000;
const OUTPUT_TAIL_CHARS = 4000;

/** Every child still running, so an interrupt or a crash of the runner can stop them. */
const running = new Set<ChildProcess>();

export interface ServerChild {
  readonly name: string;
  readonly ready: ReadyMessage;
  stats(): Promise<StatsReply>;
  command(type: Command['type']): Promise<Reply>;
  /** SIGTERM, then SIGKILL after 3 s. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Shown in messages. */
  name: string;
  /** A server script under bench/servers/. */
  script: URL;
  execArgv?: string[];
}

export async function startServerChild(options: ChildOptions): Promise<ServerChild> {
  const child = fork(options.script, [], {
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));

  // Keep the end of what the child prints, to explain a failure; otherwise discard it.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const explain = (what: string) =>
    new Error(
      `${options.name} server ${what}${output ? `; its output ended with:\n${output}` : ''}`,
    );

  const pending = new Map<
    number,
    { resolve: (reply: Reply) => void; fail: (error: Error) => void }
  >();
  let nextId = 1;
  let exited: string | undefined;

  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(explain('did not start within 60 s')), READY_TIMEOUT_MS);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(explain(`failed to start: ${message.message}`));
      } else {
        pending.get(message.id)?.resolve(message);
        pending.delete(message.id);
      }
    });
    // Before ready: it could not be started. After: a failed IPC send, which the command's
    // timeout or the exit handler reports.
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(explain(`could not be started: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      exited = signal ?? `code ${code}`;
      clearTimeout(timer);
      reject(explain(`exited (${exited}) before it was ready`));
      for (const call of pending.values()) call.fail(explain(`exited (${exited})`));
      pending.clear();
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });

  const command = (type: Command['type']): Promise<Reply> => {
    if (exited) return Promise.reject(explain(`has exited (${exited})`));
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(explain(`did not answer '${type}' within 60 s`));
      }, REPLY_TIMEOUT_MS);
      pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.type === 'error') reject(explain(`failed '${type}': ${reply.message}`));
          else resolve(reply);
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, type } satisfies Command);
    });
  };

  return {
    name: options.name,
    ready,
    command,
    async stats() {
      const reply = await command('stats');
      if (reply.type !== 'stats') throw explain(`answered '${reply.type}' to 'stats'`);
      return reply;
    },
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Kills every child still running, at once (interrupts, crashes). */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
