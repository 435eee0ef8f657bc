import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { SEVERITIES, type Severity } from '../findings/severity.ts';
import {
  INVENTORY_FORMATS,
  type InventoryFormat,
  renderInventory,
  renderInventoryAtc,
} from '../inventory/report/index.ts';
import { collect, formatOption, oneOf, outputOption } from './options.ts';
import { assertBinaryToFile, assertOutputsMatchFormats, writeReports } from './write.ts';

interface InventoryFlags {
  home: string[];
  allUsers?: boolean;
  format: InventoryFormat[];
  output: string[];
  failOn: Severity;
}

export function registerInventory(program: Command): void {
  program
    .command('inventory')
    .description(
      'Report the cached sign-in state of known CLIs (Azure, gh, AWS, gcloud, kubelogin, AI agents…) under home folders: never the secrets',
    )
    .option('--home <dir>', 'a home folder to look in (repeatable; default $HOME)', collect())
    .option('--all-users', 'every folder in /home, and /root when permitted')
    .addOption(formatOption(INVENTORY_FORMATS))
    .addOption(outputOption())
    .option(
      '--fail-on <severity>',
      `lowest severity that fails: ${SEVERITIES.join(', ')}`,
      oneOf(SEVERITIES),
      'low',
    )
    .action(async (given: Partial<InventoryFlags>) => {
      // Repeatable flags start empty; commander would print a `[]` default in --help.
      const flags = {
        ...given,
        home: given.home ?? [],
        format: given.format ?? [],
        output: given.output ?? [],
      } as InventoryFlags;
      process.exitCode = await inventory(flags);
    });
}

async function inventory(flags: InventoryFlags): Promise<number> {
  assertOutputsMatchFormats(flags.format, flags.output);
  assertBinaryToFile(flags.format, flags.output, ['osquery-atc']);
  const homes: string[] = [];
  for (const home of flags.home) {
    const absolute = resolve(home);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new UsageError(`--home ${home}: no such folder`, { field: '--home' });
    if (!info.isDirectory())
      throw new UsageError(`--home ${home}: not a folder`, { field: '--home' });
    homes.push(absolute);
  }
  if (homes.length === 0 && !flags.allUsers) {
    const home = process.env.HOME;
    if (!home) throw new UsageError('no --home given and HOME is not set', { field: '--home' });
    homes.push(resolve(home));
  }
  // The detectors (SQLite, YAML, …) load only when an inventory runs, not at every CLI start.
  const { readNoHome, runInventory } = await import('../inventory/index.ts');
  const report = await runInventory({
    homes,
    allUsers: flags.allUsers === true,
    failOn: flags.failOn,
  });

  await writeReports(flags.format, flags.output, (format, options) =>
    format === 'osquery-atc'
      ? renderInventoryAtc(report)
      : renderInventory(format, report, options),
  );
  if (readNoHome(report)) {
    process.stderr.write(
      report.homes.length
        ? 'devicebound inventory: no home could be read (see the problems above): nothing was inventoried\n'
        : 'devicebound inventory: found no home to read: nothing was inventoried\n',
    );
    return 3;
  }
  return report.summary.passed ? 0 : 1;
}
