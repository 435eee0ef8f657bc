import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { HarEntry } from '../evidence/har.ts';
import { parseEvidence } from '../evidence/load.ts';
import type { Evidence } from '../evidence/model.ts';
import { SCENARIOS, type ScenarioName } from '../evidence/names.ts';
import { SEVERITIES, type Severity } from '../findings/severity.ts';
import type { Canary } from '../lab/index.ts';
import { policyFromFlags } from '../policy/from-flags.ts';
import type { Policy } from '../policy/types.ts';
import { FORMATS, type Format } from '../report/formats.ts';
import {
  judgedPolicy,
  PROCESS_TRACE_MODES,
  type ProcessTraceMode,
  runCheck,
} from '../runner/index.ts';
import { assertRunnable } from '../runner/resolve-command.ts';
import { VERSION } from '../version.ts';
import { collect, formatOption, integer, oneOf, outputOption } from './options.ts';
import { Progress } from './progress.ts';
import { assertOutputsMatchFormats, writeAtomically, writeReports } from './write.ts';

interface CheckFlags {
  policy?: string;
  format: Format[];
  output: string[];
  scenario: ScenarioName[];
  allowScope: string[];
  allowEgress: string[];
  refuseEgress?: boolean;
  timeout?: string;
  env: string[];
  clientId?: string;
  failOn?: Severity;
  interval?: number;
  saveEvidence?: string;
  saveCanaries?: string;
  saveHar?: string;
  evidence?: string;
  keepSandbox?: boolean;
  processTrace?: ProcessTraceMode;
  verbose?: boolean;
  preset?: string;
  program?: string;
  listPresets?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Run a program against the lab in every scenario and judge its device flow')
    .argument('[command...]', 'the program to check and its arguments, after --')
    .option('--policy <file>', 'policy file (default ./devicebound.yaml when no command is given)')
    .option(
      '--preset <name>',
      'check a real program unmodified (gh, az, …): its command, dialect, hosts and environment',
    )
    .option('--program <path>', "the preset's program, when not the one on PATH (e.g. /usr/bin/gh)")
    .option('--list-presets', 'list the presets and what each runs')
    .addOption(formatOption(FORMATS))
    .addOption(outputOption())
    .option(
      '--scenario <name>',
      `run only this scenario (repeatable): ${SCENARIOS.join(', ')}`,
      collect(oneOf(SCENARIOS)),
    )
    .option('--allow-scope <scope>', 'a scope the program may ask for (repeatable)', collect())
    .option(
      '--allow-egress <host>',
      'a host (or *.domain) the program may contact besides the played hosts (repeatable)',
      collect(),
    )
    .option(
      '--refuse-egress',
      'refuse other destinations unread instead of intercepting them (the run CA is then name-constrained)',
    )
    .option('--timeout <duration>', 'per-run timeout, e.g. 30s or 2m (default 60s)')
    .option(
      '--env <NAME=VALUE>',
      'extra environment; {issuer} {host} {port} {client_id} {resource} are filled in',
      collect(),
    )
    .option('--client-id <id>', 'the client_id the lab expects (default devicebound-cli)')
    .option(
      '--fail-on <severity>',
      `lowest severity that fails the run: ${SEVERITIES.join(', ')}`,
      oneOf(SEVERITIES),
    )
    .option(
      '--interval <seconds>',
      'force one polling interval in every scenario (quick runs)',
      integer(1, 600),
    )
    .option('--save-evidence <file>', 'save the evidence (secrets hashed) to judge again later')
    .option(
      '--save-har <file>',
      "save every exchange as HAR 1.2, one page per scenario, the lab's credentials replaced by stand-ins",
    )
    .option('--evidence <file>', 'judge saved evidence instead of running anything')
    .option(
      '--save-canaries <file>',
      "save the raw canary values (for 'devicebound scan --canaries'); the file holds secrets",
    )
    .option('--keep-sandbox', 'keep the sandbox folders for inspection')
    .option(
      '--process-trace <mode>',
      'how processes the program starts are recorded for secret-in-argv: auto (strace where it can trace, else sampling /proc), strace, sample, off',
      oneOf(PROCESS_TRACE_MODES),
    )
    .option('-v, --verbose', "pass the program's output through while it runs")
    .action(async (command: string[], given: Partial<CheckFlags>) => {
      // Repeatable flags start empty; commander would print a `[]` default in --help.
      const flags: CheckFlags = {
        ...given,
        format: given.format ?? [],
        output: given.output ?? [],
        scenario: given.scenario ?? [],
        allowScope: given.allowScope ?? [],
        allowEgress: given.allowEgress ?? [],
        env: given.env ?? [],
      };
      process.exitCode = await check(command, flags);
    });
}

/**
 * The checks and the reporters, needed only once the programs have run: they load meanwhile,
 * off the path from the command line to the first program start.
 */
function loadJudging() {
  const loading = Promise.all([import('../pipeline/check.ts'), import('../report/index.ts')]);
  // Awaited at the end; an early usage error must not leave this rejection unhandled.
  loading.catch(() => {});
  return loading;
}

async function check(command: string[], flags: CheckFlags): Promise<number> {
  if (flags.listPresets) {
    const { listPresets } = await import('./presets.ts');
    process.stdout.write(listPresets());
    return 0;
  }
  const judging = loadJudging();
  assertOutputsMatchFormats(flags.format, flags.output);
  // Saved evidence is judged under the policy it was made with, unless --policy names another:
  // then there is nothing to run and no policy to read.
  const judgeSavedOnly = flags.evidence !== undefined && flags.policy === undefined;
  const policy = judgeSavedOnly
    ? undefined
    : await policyFromFlags({
        command: flags.evidence ? [] : command,
        scenario: flags.scenario,
        allowScope: flags.allowScope,
        allowEgress: flags.allowEgress,
        ...(flags.refuseEgress && { refuseEgress: true }),
        env: flags.env,
        ...(flags.policy !== undefined && { policy: flags.policy }),
        ...(flags.timeout !== undefined && { timeout: flags.timeout }),
        ...(flags.clientId !== undefined && { clientId: flags.clientId }),
        ...(flags.failOn !== undefined && { failOn: flags.failOn }),
        ...(flags.interval !== undefined && { interval: flags.interval }),
        ...(flags.preset !== undefined && { preset: flags.preset }),
        ...(flags.program !== undefined && { program: flags.program }),
      });
  if (flags.evidence && command.length > 0) {
    throw new UsageError('give either --evidence FILE or a command to run, not both');
  }

  let evidence: Evidence;
  if (flags.evidence) {
    evidence = parseEvidence(await readInput(flags.evidence), flags.evidence);
  } else {
    if (!policy) throw new UsageError('nothing to check');
    for (const task of policy.tasks) await assertRunnable(task);
    evidence = await runWithCtrlC(policy, flags);
  }
  if (flags.saveEvidence)
    await writeAtomically(flags.saveEvidence, `${JSON.stringify(evidence, null, 2)}\n`);

  const [{ judgeEvidence, exitCodeOf }, { render }] = await judging;
  const { report } = judgeEvidence(evidence, {
    ...(policy && { policy: judgedPolicy(policy) }),
    ...(flags.failOn !== undefined && { failOn: flags.failOn }),
  });

  await writeReports(flags.format, flags.output, (format, options) =>
    render(format, report, options),
  );
  return exitCodeOf(report);
}

/** A run interrupted by Ctrl-C still kills its programs, closes its labs, removes its sandboxes. */
async function runWithCtrlC(policy: Policy, flags: CheckFlags): Promise<Evidence> {
  const controller = new AbortController();
  const progress = new Progress(process.stderr, policy.tasks.length * policy.scenarios.length);
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      '\ndevicebound: interrupted; stopping programs and cleaning up (Ctrl-C again to force)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const canaries: Canary[] = [];
    const kept = new Map<string, string>();
    const pages = new Map<string, HarEntry[]>();
    const evidence = await runCheck(policy, {
      onSandboxKept: (task, scenario, path) => kept.set(`${task}\0${scenario}`, path),
      ...(flags.saveCanaries && { onCanaries: (found: Canary[]) => canaries.push(...found) }),
      ...(flags.saveHar && {
        onExchange: (task: string, scenario: string, entry: HarEntry) => {
          const id = `${task}/${scenario}`;
          const page = pages.get(id) ?? [];
          page.push(entry);
          pages.set(id, page);
        },
      }),
      signal: controller.signal,
      keepSandbox: flags.keepSandbox ?? false,
      ...(flags.processTrace && { processTrace: flags.processTrace }),
      verbose: flags.verbose ?? false,
      onProgress: (task, scenario, state) => progress.update(`${task}/${scenario}`, state),
    });
    progress.finish();
    if (controller.signal.aborted) throw new InterruptedError();
    if (flags.saveHar) {
      const { harDocument } = await import('../evidence/har.ts');
      const har = harDocument(
        VERSION,
        [...pages].map(([id, entries]) => ({
          id,
          title: `devicebound check: ${id}`,
          entries: entries.sort((a, b) => a.startedDateTime.localeCompare(b.startedDateTime)),
        })),
      );
      await writeAtomically(flags.saveHar, `${JSON.stringify(har, null, 2)}\n`);
    }
    if (flags.saveCanaries) {
      // The one output with raw values, asked for by name: mode 0600, and said so.
      const list = canaries.map(({ kind, secret }) => ({ kind, value: secret.reveal() }));
      await writeAtomically(
        flags.saveCanaries,
        `${JSON.stringify({ version: 1, canaries: list }, null, 2)}\n`,
      );
      process.stderr.write(
        `devicebound: ${list.length} canary values saved to ${flags.saveCanaries} (mode 0600; they are secrets of this run's labs: delete the file after scanning)\n`,
      );
    }
    if (flags.keepSandbox) {
      const paths = evidence.runs.flatMap((run) => kept.get(`${run.task}\0${run.scenario}`) ?? []);
      process.stderr.write(
        `devicebound: sandboxes kept for inspection:\n${paths.map((dir) => `  ${dir}\n`).join('')}`,
      );
    }
    return evidence;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

class InterruptedError extends UsageError {
  constructor() {
    super(
      'interrupted; programs stopped, labs closed, sandboxes removed',
      undefined,
      'interrupted',
    );
    Object.defineProperty(this, 'exitCode', { value: 130 });
  }
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      file,
    });
  }
}
