import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../errors.ts';
import type { RootName } from '../evidence/model.ts';

/** Fresh, empty folders standing in for the user's own (one sandbox per task sequence). */
export interface Sandbox {
  base: string;
  dirs: Record<Exclude<RootName, 'cwd'>, string>;
  remove(): Promise<void>;
}

/**
 * One folder per `check` run holding every sandbox of it, so the working directory's snapshot
 * can leave them all out (a run started in /tmp would otherwise see its own sandboxes) and one
 * removal cleans everything.
 */
export async function createRunFolder(): Promise<string> {
  try {
    return await mkdtemp(join(tmpdir(), 'devicebound-'));
  } catch (error) {
    throw new HarnessError('sandbox', `cannot create a folder in ${tmpdir()}`, error);
  }
}

export async function createSandbox(parent: string, label: string): Promise<Sandbox> {
  let base: string;
  try {
    base = await mkdtemp(join(parent, `${label.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  } catch (error) {
    throw new HarnessError('sandbox', `cannot create a sandbox in ${parent}`, error);
  }
  const dirs = {
    HOME: join(base, 'home'),
    XDG_CONFIG_HOME: join(base, 'home', '.config'),
    XDG_CACHE_HOME: join(base, 'home', '.cache'),
    XDG_DATA_HOME: join(base, 'home', '.local', 'share'),
    XDG_STATE_HOME: join(base, 'home', '.local', 'state'),
    TMPDIR: join(base, 'tmp'),
  };
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true, mode: 0o700 });
  let removed: Promise<void> | undefined;
  return {
    base,
    dirs,
    remove() {
      removed ??= rm(base, { recursive: true, force: true, maxRetries: 3 });
      return removed;
    },
  };
}
