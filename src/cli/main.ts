import { Command, CommanderError } from 'commander';
import { DeviceboundError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { registerCheck } from './check.ts';
import { registerDemo } from './demo.ts';
import { registerInventory } from './inventory.ts';
import { registerScan } from './scan.ts';
import { registerServe } from './serve.ts';

/** Builds the command tree. Commands only parse flags and call into the parts. */
export function buildProgram(): Command {
  const program = new Command('devicebound')
    .description(
      'Prove that a program signing in with the OAuth 2.0 device code flow (RFC 8628) stays inside its boundary.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerCheck(program);
  registerServe(program);
  registerScan(program);
  registerInventory(program);
  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 findings, 2 bad input, 3 harness failure). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here with exit code 0; commander already printed.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof DeviceboundError) {
    process.stderr.write(`devicebound: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`devicebound: internal error: ${message}\n`);
  if (process.env.DEVICEBOUND_DEBUG && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  return 3;
}
