import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { SEVERITIES, type Severity } from '../findings/severity.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/types.ts';
import { FORMATS, type Format } from '../report/formats.ts';
import { collect, formatOption, oneOf, outputOption } from './options.ts';
import { assertOutputsMatchFormats, writeReports } from './write.ts';

interface AnalyzeFlags {
  format: Format[];
  output: string[];
  policy?: string;
  allowScope: string[];
  failOn?: Severity;
}

export function registerAnalyze(program: Command): void {
  const command = program
    .command('analyze')
    .description(
      'Judge device flows that already ran, from a HAR, a devicebound trace or saved evidence',
    )
    .argument('<file...>', 'captures: HAR 1.2, `serve --trace` JSONL, `check --save-evidence`');
  addJudgeOptions(command)
    .addOption(outputOption())
    .action(async (files: string[], given: Partial<AnalyzeFlags>) => {
      const flags: AnalyzeFlags = {
        ...given,
        format: given.format ?? [],
        output: given.output ?? [],
        allowScope: given.allowScope ?? [],
      };
      process.exitCode = await analyze(files, flags);
    });
}

async function analyze(files: string[], flags: AnalyzeFlags): Promise<number> {
  assertOutputsMatchFormats(flags.format, flags.output);
  if (files.length === 0) throw new UsageError('give at least one capture file');
  const policy = flags.policy ? await loadPolicy(flags.policy) : undefined;
  return judgeCaptures(files, {
    format: flags.format,
    output: flags.output,
    allowScope: flags.allowScope,
    ...(policy && { policy }),
    ...(flags.failOn !== undefined && { failOn: flags.failOn }),
  });
}

/** What judges captures, for `analyze` and `record` alike: the policy, scopes, fail_on, formats. */
export function addJudgeOptions(command: Command): Command {
  return command
    .option(
      '--policy <file>',
      'policy whose task (by client_id, or its only task) judges each flow',
    )
    .option('--allow-scope <scope>', 'a scope the flows may ask for (repeatable)', collect())
    .option(
      '--fail-on <severity>',
      `lowest severity that fails the run: ${SEVERITIES.join(', ')}`,
      oneOf(SEVERITIES),
    )
    .addOption(formatOption(FORMATS));
}

export interface JudgeFlags {
  format: Format[];
  /** One report file per format (`-` or none: standard output). */
  output: string[];
  policy?: Policy;
  allowScope: string[];
  failOn?: Severity;
}

/**
 * Judges captures and writes the reports; the exit code: 0 clean, 1 findings at or above
 * `fail_on`, 3 when no device flow was found. `analyze` and `record` end here.
 */
export async function judgeCaptures(files: readonly string[], flags: JudgeFlags): Promise<number> {
  const [{ analyzeFiles }, { exitCodeOf }, { render }] = await Promise.all([
    import('../pipeline/analyze.ts'),
    import('../pipeline/check.ts'),
    import('../report/index.ts'),
  ]);
  const { report } = await analyzeFiles(files, {
    ...(flags.policy && { policy: flags.policy }),
    ...(flags.allowScope.length > 0 && { allowScope: flags.allowScope }),
    ...(flags.failOn !== undefined && { failOn: flags.failOn }),
  });
  await writeReports(flags.format, flags.output, (format, options) =>
    render(format, report, options),
  );
  if (report.scenarios.length === 0) {
    process.stderr.write('devicebound: no device flow found in the captures: nothing was judged\n');
    return 3;
  }
  return exitCodeOf(report);
}
