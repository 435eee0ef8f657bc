/**
 * `devicebound inventory`: the cached authentication state of known CLIs under one or more
 * homes. Reads only; never prints, stores or sends a credential value.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SEVERITIES, type Severity } from '../policy/types.ts';
import { VERSION } from '../version.ts';
import type { Detector } from './detector.ts';
import type { InventoryEntry, InventoryProblem, InventoryReport } from './model.ts';
import { OwnerNames } from './owners.ts';
import { DETECTORS } from './tools/index.ts';
import { inventoryHome } from './walk.ts';

export interface InventoryOptions {
  homes: string[];
  failOn: Severity;
  now?: Date;
  detectors?: readonly Detector[];
  /** Problems found while choosing the homes (e.g. an unreadable /root with --all-users). */
  problems?: InventoryProblem[];
}

export async function runInventory(options: InventoryOptions): Promise<InventoryReport> {
  const now = options.now ?? new Date();
  const owners = new OwnerNames();
  const entries: InventoryEntry[] = [];
  const problems: InventoryProblem[] = [...(options.problems ?? [])];
  for (const home of options.homes) {
    const found = await inventoryHome(home, options.detectors ?? DETECTORS, { now, owners });
    entries.push(...found.entries);
    problems.push(...found.problems);
  }
  return buildInventoryReport(entries, problems, {
    homes: options.homes,
    failOn: options.failOn,
    now,
  });
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isFailingEntry(entry: Pick<InventoryEntry, 'severity'>, failOn: Severity): boolean {
  return severityRank(entry.severity) >= severityRank(failOn);
}

export function buildInventoryReport(
  entries: InventoryEntry[],
  problems: InventoryProblem[],
  context: { homes: string[]; failOn: Severity; now: Date },
): InventoryReport {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byTool: Record<string, number> = {};
  for (const entry of entries) {
    bySeverity[entry.severity] += 1;
    byTool[entry.tool] = (byTool[entry.tool] ?? 0) + 1;
  }
  const failing = entries.filter((entry) => isFailingEntry(entry, context.failOn)).length;
  return {
    tool: { name: 'devicebound', version: VERSION },
    createdAt: context.now.toISOString(),
    homes: context.homes,
    failOn: context.failOn,
    entries,
    problems,
    summary: {
      passed: failing === 0,
      entries: entries.length,
      failing,
      problems: problems.length,
      bySeverity,
      byTool,
    },
  };
}

/** `--all-users`: every folder in /home, and /root; those we may not list become problems. */
export async function allUserHomes(): Promise<{ homes: string[]; problems: InventoryProblem[] }> {
  const homes: string[] = [];
  const problems: InventoryProblem[] = [];
  try {
    for (const dirent of await readdir('/home', { withFileTypes: true })) {
      if (dirent.isDirectory()) homes.push(join('/home', dirent.name));
    }
  } catch (error) {
    problems.push({
      path: '/home',
      reason: `cannot list (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
  homes.sort();
  try {
    await stat('/root');
    await readdir('/root');
    homes.push('/root');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      problems.push({ path: '/root', reason: `not permitted (${code ?? 'error'})` });
  }
  return { homes, problems };
}
