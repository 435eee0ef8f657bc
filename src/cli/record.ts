import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { LabEvent } from '../evidence/events.ts';
import type { Severity } from '../findings/severity.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Format } from '../report/formats.ts';
import { addJudgeOptions, judgeCaptures } from './analyze.ts';
import { collect, integer } from './options.ts';
import { assertOutputsMatchFormats } from './write.ts';

interface RecordFlags {
  upstream: string;
  port: number;
  caFile?: string;
  output?: string;
  format: Format[];
  report: string[];
  policy?: string;
  allowScope: string[];
  failOn?: Severity;
}

export function registerRecord(program: Command): void {
  const command = program
    .command('record')
    .description(
      'Record device flows through a loopback reverse proxy in front of a real authorization server, then judge them',
    )
    .argument(
      '[command...]',
      'after --: a program to run with DEVICEBOUND_ISSUER set to the recorder; recording stops when it exits',
    )
    .requiredOption('--upstream <url>', 'the authorization server, e.g. https://login.example.com')
    .option('--port <port>', 'loopback port; 0 picks a free one', integer(0, 65535), 0)
    .option('--ca-file <file>', 'PEM CAs to trust for the upstream, besides the system store')
    .option('--output <file>', 'keep the recorded trace (JSONL, fingerprints only) here');
  addJudgeOptions(command)
    .option(
      '--report <file>',
      'write the report of the matching --format here (repeatable)',
      collect(),
    )
    .action(async (command: string[], given: Partial<RecordFlags>) => {
      process.exitCode = await record(command, {
        upstream: given.upstream ?? '',
        port: given.port ?? 0,
        ...given,
        format: given.format ?? [],
        report: given.report ?? [],
        allowScope: given.allowScope ?? [],
      });
    });
}

async function record(command: string[], flags: RecordFlags): Promise<number> {
  assertOutputsMatchFormats(flags.format, flags.report);
  const policy = flags.policy ? await loadPolicy(flags.policy) : undefined;
  const { recorderTarget, startRecorder } = await import('../capture/record.ts');
  const target = await recorderTarget(flags.upstream, flags.caFile);

  // The trace goes to --output, or to a private temporary file removed after judging.
  const scratch = flags.output ? undefined : await mkdtemp(join(tmpdir(), 'devicebound-record-'));
  const traceFile = flags.output ?? join(scratch ?? '', 'trace.jsonl');
  let fd: number;
  try {
    fd = openSync(traceFile, 'w', 0o600);
  } catch (error) {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    throw new UsageError(`cannot write (${(error as NodeJS.ErrnoException).code})`, {
      file: traceFile,
      field: '--output',
    });
  }
  let open = true;
  const write = (event: LabEvent) => {
    if (open) writeSync(fd, `${JSON.stringify(event)}\n`);
  };
  const closeTrace = () => {
    if (!open) return;
    open = false;
    closeSync(fd);
  };

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let child: ReturnType<typeof spawn> | undefined;
  const interrupt = () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      // The program hears Ctrl-C as its own; the recording stops when it has exited.
      signalGroup(child.pid, 'SIGINT');
    } else stop();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  try {
    const recorder = await startRecorder({ target, port: flags.port, write }).catch(
      async (error: unknown) => {
        // Nothing was recorded: no trace file is left behind.
        closeTrace();
        await rm(traceFile, { force: true });
        throw error;
      },
    );
    process.stderr.write(
      `devicebound: recording on ${recorder.url} → ${recorder.upstream.href} (TLS checked against ${recorder.trust})\n` +
        `  point the program's authority at ${recorder.url}; ${command.length > 0 ? 'recording stops when the program exits' : 'Ctrl-C stops and judges'}\n`,
    );
    try {
      if (command.length > 0) {
        const [file = '', ...args] = command;
        child = spawn(file, args, {
          stdio: 'inherit',
          detached: true,
          env: { ...process.env, DEVICEBOUND_ISSUER: recorder.url },
        });
        const exited = new Promise<string>((resolve) => {
          child?.once('error', (error: NodeJS.ErrnoException) =>
            resolve(`could not start ${file}: ${error.code ?? error.message}`),
          );
          child?.once('exit', (code, signal) =>
            resolve(signal ? `killed by ${signal}` : `exited with ${code}`),
          );
        });
        const outcome = await Promise.race([exited, stopped.then(() => 'stopped')]);
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGTERM');
        if (outcome === 'stopped') await exited;
        process.stderr.write(`devicebound: the program ${outcome}\n`);
        if (outcome.startsWith('could not start')) {
          throw new UsageError(outcome, { field: 'command' });
        }
      } else {
        await stopped;
      }
    } finally {
      await recorder.close();
      closeTrace();
    }
    process.stderr.write(
      `devicebound: ${recorder.recorded} exchanges recorded${flags.output ? ` in ${flags.output}` : ''}; judging\n`,
    );
    return await judgeCaptures([traceFile], {
      format: flags.format,
      output: flags.report,
      ...(policy && { policy }),
      allowScope: flags.allowScope,
      ...(flags.failOn !== undefined && { failOn: flags.failOn }),
    });
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Signals the program's whole process group (it was started as its leader); gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already exited
  }
}
