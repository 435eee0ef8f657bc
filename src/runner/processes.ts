import { readFileSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';

/** A process that belongs to a run: in its process group, or carrying its run id in its environment. */
export interface RunProcess {
  pid: number;
  name: string;
}

/**
 * Finds the live processes of a run. The process group catches ordinary children; the
 * `DEVICEBOUND_RUN_ID` marker in /proc/PID/environ catches ones that escaped with setsid() or
 * a double fork. Zombies are not alive. Without /proc only the group test is possible.
 */
export async function findRunProcesses(
  runId: string,
  pgid: number | undefined,
  startTicks?: number,
): Promise<RunProcess[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return pgid !== undefined && groupAlive(pgid) ? [{ pid: pgid, name: '(process group)' }] : [];
  }
  const marker = Buffer.from(`DEVICEBOUND_RUN_ID=${runId}\0`);
  const found: RunProcess[] = [];
  // Synchronous reads: /proc files are made in memory as they are read, and a few hundred
  // small reads take a millisecond or two here, against ~30 ms through the thread pool.
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') continue;
      const inGroup = pgid !== undefined && Number(fields[2]) === pgid;
      // A process older than the program cannot carry its fresh run id: its environment is not
      // read (most of a machine's processes).
      if (!inGroup && startTicks !== undefined && Number(fields[19]) < startTicks) continue;
      const marked = inGroup || readFileSync(`/proc/${pid}/environ`).includes(marker);
      if (marked) found.push({ pid, name: processName(pid) });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** The executable's file name (never its arguments, which may hold secrets). */
export function processName(pid: number): string {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '?';
    }
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal to a whole process group; a group that is gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left.
  }
}

/** /proc/PID/stat field 22, the start time in clock ticks since boot; undefined without it. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kills the run's processes, escaped ones included, and waits until none is left (bounded).
 * Returns the ones the program left behind: not those `isOwn` says the harness started (the
 * process tracer), which are killed all the same.
 */
export async function killRun(
  runId: string,
  pgid: number | undefined,
  startTicks?: number,
  isOwn: (pid: number) => boolean = () => false,
): Promise<RunProcess[]> {
  const found = await findRunProcesses(runId, pgid, startTicks);
  const left = found.filter(({ pid }) => !isOwn(pid));
  // None found: none can appear (a new one would need a parent of the run to fork it).
  if (found.length === 0 && (pgid === undefined || !groupAlive(pgid))) return left;
  if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
  for (const { pid } of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (let i = 0; i < 50 && (await findRunProcesses(runId, pgid, startTicks)).length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return left;
}
