import type { Command } from 'commander';
import { loadBaseline, renderBaseline } from '../scan/baseline.ts';
import { loadCanaries } from '../scan/canaries.ts';
import { renderScan, SCAN_FORMATS, type ScanFormat } from '../scan/report/index.ts';
import { DEFAULT_LIMITS } from '../scan/types.ts';
import { collect, formatOption, integer, outputOption } from './options.ts';
import { assertOutputsMatchFormats, writeAtomically, writeReports } from './write.ts';

interface ScanFlags {
  format: ScanFormat[];
  output: string[];
  exclude: string[];
  hostDefaults?: boolean;
  canaries?: string;
  baseline?: string;
  saveBaseline?: string;
  maxFileSize?: number;
  maxDepth?: number;
  maxExpanded?: number;
  maxRatio?: number;
  maxEntries?: number;
  jobs?: number;
}

const MIB = 1024 * 1024;

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(
      'Find device codes, user codes and tokens in files, folders, archives, shell histories and crash dumps',
    )
    .argument('[path...]', 'files and folders to scan (archives inside are opened)')
    .option('--host-defaults', "scan this user's shell histories, log and crash-dump folders")
    .option('--exclude <glob>', 'skip paths matching this glob (repeatable)', collect())
    .option(
      '--canaries <file>',
      'exact-value mode: look only for the values in this canary list (the file holds secrets)',
    )
    .option('--baseline <file>', 'do not report findings whose fingerprint is in this baseline')
    .option('--save-baseline <file>', 'write the fingerprints of all findings as a baseline')
    .addOption(formatOption(SCAN_FORMATS))
    .addOption(outputOption())
    .option(
      '--max-file-size <MiB>',
      `skip files larger than this (default ${DEFAULT_LIMITS.maxFileBytes / MIB})`,
      integer(1, 1024 * 1024),
    )
    .option(
      '--max-depth <layers>',
      `archive layers to open (default ${DEFAULT_LIMITS.maxDepth})`,
      integer(0, 32),
    )
    .option(
      '--max-expanded <MiB>',
      `bytes expanded from archives per file (default ${DEFAULT_LIMITS.maxExpandedBytes / MIB})`,
      integer(1, 1024 * 1024),
    )
    .option(
      '--max-ratio <n>',
      `compression ratio that stops an archive (default ${DEFAULT_LIMITS.maxRatio})`,
      integer(2, 100_000),
    )
    .option(
      '--max-entries <n>',
      `archive members per file (default ${DEFAULT_LIMITS.maxEntries})`,
      integer(1, 10_000_000),
    )
    .option(
      '--jobs <n>',
      'files scanned at once, in worker threads, on big scans (default: the CPUs; 1: no workers)',
      integer(1, 256),
    )
    .action(async (paths: string[], given: Partial<ScanFlags>) => {
      // Repeatable flags start empty; commander would print a `[]` default in --help.
      const flags = {
        ...given,
        exclude: given.exclude ?? [],
        format: given.format ?? [],
        output: given.output ?? [],
      } as ScanFlags;
      process.exitCode = await scan(paths, flags);
    });
}

async function scan(paths: string[], flags: ScanFlags): Promise<number> {
  assertOutputsMatchFormats(flags.format, flags.output);
  const canaries = flags.canaries ? await loadCanaries(flags.canaries) : undefined;
  const baseline = flags.baseline ? await loadBaseline(flags.baseline) : undefined;
  // The walker and the archive readers load only when a scan runs, not at every CLI start.
  const { runScan } = await import('../scan/index.ts');
  const report = await runScan({
    paths,
    hostDefaults: flags.hostDefaults ?? false,
    exclude: flags.exclude,
    limits: {
      ...(flags.maxFileSize !== undefined && { maxFileBytes: flags.maxFileSize * MIB }),
      ...(flags.maxDepth !== undefined && { maxDepth: flags.maxDepth }),
      ...(flags.maxExpanded !== undefined && { maxExpandedBytes: flags.maxExpanded * MIB }),
      ...(flags.maxRatio !== undefined && { maxRatio: flags.maxRatio }),
      ...(flags.maxEntries !== undefined && { maxEntries: flags.maxEntries }),
    },
    ...(canaries && { canaries }),
    ...(baseline && { baseline }),
    ...(flags.jobs !== undefined && { jobs: flags.jobs }),
  });
  if (flags.saveBaseline)
    await writeAtomically(
      flags.saveBaseline,
      renderBaseline(report.findings.map((f) => f.fingerprint)),
    );
  await writeReports(flags.format, flags.output, (format, options) =>
    renderScan(format, report, options),
  );
  return report.summary.passed ? 0 : 1;
}
