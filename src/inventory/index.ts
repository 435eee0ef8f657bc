/**
 * `devicebound inventory`: the cached authentication state of known CLIs under one or more
 * homes. Reads only; never prints, stores or sends a credential value.
 */
import { isFailing, SEVERITIES, type Severity } from '../findings/index.ts';
import { VERSION } from '../version.ts';
import type { Detector } from './detector.ts';
import { allUserHomes, SYSTEM_HOME_ROOTS, type UserHomeRoots } from './homes.ts';
import type { InventoryEntry, InventoryProblem, InventoryReport } from './model.ts';
import { type OwnerLookup, OwnerNames } from './owners.ts';
import { DETECTORS } from './tools/index.ts';
import { inventoryHome } from './walk.ts';

export { allUserHomes, SYSTEM_HOME_ROOTS, type UserHomeRoots } from './homes.ts';

export interface InventoryOptions {
  /** Homes to look in, in report order. */
  homes: string[];
  /** Also every user's home (`--all-users`): `true` for `/home/*` and `/root`, or other roots. */
  allUsers?: boolean | UserHomeRoots;
  failOn: Severity;
  now?: Date;
  detectors?: readonly Detector[];
  /** Names the owners of files (default: from /etc/passwd). */
  owners?: OwnerLookup;
}

/** Homes inventoried at once (`--all-users` on a machine with many). */
const HOMES_AT_ONCE = 8;

export async function runInventory(options: InventoryOptions): Promise<InventoryReport> {
  const now = options.now ?? new Date();
  const owners = options.owners ?? new OwnerNames();
  const entries: InventoryEntry[] = [];
  const problems: InventoryProblem[] = [];
  const homes = [...options.homes];
  if (options.allUsers) {
    const found = await allUserHomes(
      options.allUsers === true ? SYSTEM_HOME_ROOTS : options.allUsers,
    );
    homes.push(...found.homes);
    problems.push(...found.problems);
  }
  // A home given twice (--home /root --all-users) is looked in, and reported, once.
  const unique = [...new Set(homes)];
  // Several homes at once: a home on a network filesystem is a chain of calls that each wait
  // for a round trip (io.ts), and one home after another left the process idle; a local home's
  // calls are synchronous and simply run in turn. Results keep the order of the homes.
  const found = new Array<Awaited<ReturnType<typeof inventoryHome>>>(unique.length);
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const index = next++;
      found[index] = await inventoryHome(unique[index] as string, options.detectors ?? DETECTORS, {
        now,
        owners,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(HOMES_AT_ONCE, unique.length) }, worker));
  for (const home of found) {
    entries.push(...home.entries);
    problems.push(...home.problems);
  }
  return buildInventoryReport(entries, problems, { homes: unique, failOn: options.failOn, now });
}

/**
 * True when the inventory read nothing: no home was found, or none could be opened. Its PASS
 * would say nothing, so the CLI exits 3 (the harness could not run) instead.
 */
export function readNoHome(report: Pick<InventoryReport, 'homes' | 'problems'>): boolean {
  const unopened = new Set(
    report.problems
      .filter((problem) => problem.reason.startsWith('cannot open the home'))
      .map((problem) => problem.path),
  );
  return report.homes.every((home) => unopened.has(home));
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
  const failing = entries.filter((entry) => isFailing(entry, context.failOn)).length;
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
