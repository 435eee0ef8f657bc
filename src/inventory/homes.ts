/**
 * `--all-users`: which homes to look in. Every folder in each parent (`/home`), and each home of
 * its own (`/root`) that can be listed. One that exists but cannot be listed is a problem, so
 * that a run without root says what it could not see; one that does not exist is not.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { InventoryProblem } from './model.ts';

/** Where to find the homes of all users. Tests point this at a temporary folder. */
export interface UserHomeRoots {
  /** Folders whose every sub-folder is a user's home. */
  parents: readonly string[];
  /** Homes outside those folders, included when they can be listed. */
  homes: readonly string[];
}

/** What `--all-users` means on a Unix machine. */
export const SYSTEM_HOME_ROOTS: UserHomeRoots = { parents: ['/home'], homes: ['/root'] };

export interface FoundHomes {
  homes: string[];
  problems: InventoryProblem[];
}

export async function allUserHomes(roots: UserHomeRoots = SYSTEM_HOME_ROOTS): Promise<FoundHomes> {
  const homes: string[] = [];
  const problems: InventoryProblem[] = [];
  for (const parent of roots.parents) {
    try {
      const found: string[] = [];
      for (const dirent of await readdir(parent, { withFileTypes: true })) {
        if (dirent.isDirectory()) found.push(join(parent, dirent.name));
      }
      homes.push(...found.sort());
    } catch (error) {
      problems.push({ path: parent, reason: `cannot list (${errorCode(error)})` });
    }
  }
  for (const home of roots.homes) {
    try {
      await readdir(home);
      homes.push(home);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') continue; // no such account on this machine
      const denied = code === 'EACCES' || code === 'EPERM';
      problems.push({
        path: home,
        reason: `${denied ? 'not permitted' : 'cannot list'} (${code})`,
      });
    }
  }
  return { homes, problems };
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}
