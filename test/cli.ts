// Runs the devicebound CLI from source as a real child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches, rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  finished: Promise<Finished>;
}

/** Starts the CLI; `as` runs it as another user (root only), `cwd` in another folder. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  as?: { uid: number; gid: number },
  cwd?: string,
): Running {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...as,
    ...(cwd !== undefined && { cwd }),
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    finished,
    waitFor(pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.stdout?.off('data', check);
          reject(
            new Error(`timed out waiting for ${pattern}; stdout so far:\n${out}\nstderr:\n${err}`),
          );
        }, ms);
        const check = () => {
          const match = out.match(pattern);
          if (!match) return;
          clearTimeout(timer);
          child.stdout?.off('data', check);
          resolve(match);
        };
        child.stdout?.on('data', check);
        check();
      });
    },
  };
}

/** Runs the CLI to completion, in `cwd` when given. */
export function runCli(args: string[], env?: NodeJS.ProcessEnv, cwd?: string): Promise<Finished> {
  return startCli(args, env, undefined, cwd).finished;
}
