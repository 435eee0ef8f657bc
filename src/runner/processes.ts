import { readdir, readFile, readlink } from 'node:fs/promises';
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
): Promise<RunProcess[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return pgid !== undefined && groupAlive(pgid) ? [{ pid: pgid, name: '(process group)' }] : [];
  }
  const marker = Buffer.from(`DEVICEBOUND_RUN_ID=${runId}\0`);
  const found: RunProcess[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
      .map(async (entry) => {
        const pid = Number(entry);
        try {
          const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
          // Fields after the command name, which is in parentheses and may contain spaces.
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (fields[0] === 'Z' || fields[0] === 'X') return;
          const inGroup = pgid !== undefined && Number(fields[2]) === pgid;
          const marked = inGroup || (await readFile(`/proc/${pid}/environ`)).includes(marker);
          if (!marked) return;
          found.push({ pid, name: await processName(pid) });
        } catch {
          // Gone meanwhile, or not ours to read.
        }
      }),
  );
  return found.sort((a, b) => a.pid - b.pid);
}

/** The executable's file name (never its arguments, which may hold secrets). */
async function processName(pid: number): Promise<string> {
  try {
    return basename(await readlink(`/proc/${pid}/exe`));
  } catch {
    return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
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

/** Kills the run's processes, escaped ones included, and waits until none is left (bounded). */
export async function killRun(runId: string, pgid: number | undefined): Promise<RunProcess[]> {
  const found = await findRunProcesses(runId, pgid);
  if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
  for (const { pid } of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (let i = 0; i < 50 && (await findRunProcesses(runId, pgid)).length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return found;
}
