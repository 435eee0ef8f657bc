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

export async function createSandbox(label: string): Promise<Sandbox> {
  let base: string;
  try {
    base = await mkdtemp(join(tmpdir(), `devicebound-${label.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  } catch (error) {
    throw new HarnessError('sandbox', `cannot create a sandbox in ${tmpdir()}`, error);
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
