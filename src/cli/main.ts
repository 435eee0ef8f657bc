import { Command, CommanderError } from 'commander';
import { DeviceboundError } from '../errors.ts';
import { VERSION } from '../version.ts';

/**
 * Each command's module, loaded only when it is the one asked for (all of them for help): a
 * `check` does not pay at start-up for the archive readers of `scan` or the detectors of
 * `inventory` (about 300 modules in all before this, 120 for `check` now).
 */
const COMMANDS: Record<string, (program: Command) => Promise<void>> = {
  demo: async (program) => (await import('./demo.ts')).registerDemo(program),
  check: async (program) => (await import('./check.ts')).registerCheck(program),
  analyze: async (program) => (await import('./analyze.ts')).registerAnalyze(program),
  record: async (program) => (await import('./record.ts')).registerRecord(program),
  probe: async (program) => (await import('./probe.ts')).registerProbe(program),
  serve: async (program) => (await import('./serve.ts')).registerServe(program),
  scan: async (program) => (await import('./scan.ts')).registerScan(program),
  inventory: async (program) => (await import('./inventory.ts')).registerInventory(program),
};

/** Builds the command tree. Commands only parse flags and call into the parts. */
export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('devicebound')
    .description(
      'Prove that a program signing in with the OAuth 2.0 device code flow (RFC 8628) stays inside its boundary.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const asked = argv.slice(2).find((arg) => !arg.startsWith('-'));
  // `--version` alone needs no command at all; help without a command needs them all.
  const versionOnly =
    asked === undefined && argv.slice(2).some((arg) => arg === '--version' || arg === '-V');
  const wanted =
    asked !== undefined && asked in COMMANDS ? [asked] : versionOnly ? [] : Object.keys(COMMANDS);
  for (const name of wanted) await COMMANDS[name]?.(program);
  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 findings, 2 bad input, 3 harness failure). */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
