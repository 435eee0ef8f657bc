import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileRecord, RootName } from '../evidence/model.ts';

export interface FileState {
  size: number;
  mtimeMs: number;
  ino: number;
  mode: number;
}

export interface Snapshot {
  files: Map<string, FileState>;
  /** Folders that could not be read, and whether the entry cap cut the walk short. */
  notes: string[];
}

/** A walk of a big working directory stops here; the note says so. */
export const MAX_SNAPSHOT_ENTRIES = 200_000;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/**
 * Regular files under `root`, by path relative to it. Symlinks are never followed (no loops),
 * special files are never listed, unreadable folders are noted. `.git` and `node_modules` of a
 * working directory are skipped: a program under test does not keep credentials there, and a
 * big checkout would make every run slow.
 */
export async function snapshot(
  root: string,
  options: { skipVendored?: boolean; skip?: ReadonlySet<string> } = {},
): Promise<Snapshot> {
  const files = new Map<string, FileState>();
  const notes: string[] = [];
  let entries = 0;
  const walk = async (dir: string, relative: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      notes.push(
        `cannot read folder ${relative || '.'}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return;
    }
    for (const name of names.sort()) {
      if (++entries > MAX_SNAPSHOT_ENTRIES) {
        if (entries === MAX_SNAPSHOT_ENTRIES + 1)
          notes.push(`stopped after ${MAX_SNAPSHOT_ENTRIES} entries`);
        return;
      }
      const path = join(dir, name);
      const rel = relative ? `${relative}/${name}` : name;
      let stat: Awaited<ReturnType<typeof lstat>>;
      try {
        stat = await lstat(path);
      } catch {
        continue; // removed meanwhile
      }
      if (stat.isDirectory()) {
        if (options.skipVendored && SKIPPED_DIRS.has(name)) continue;
        if (options.skip?.has(path)) continue;
        await walk(path, rel);
      } else if (stat.isFile()) {
        files.set(rel, {
          size: stat.size,
          mtimeMs: stat.mtimeMs,
          ino: stat.ino,
          mode: stat.mode & 0o7777,
        });
      } else if (stat.isSymbolicLink()) {
        notes.push(`${rel}: symbolic link, not followed`);
      } else {
        const type = stat.isFIFO() ? 'FIFO' : stat.isSocket() ? 'socket' : 'device';
        notes.push(`${rel}: ${type}, not opened`);
      }
    }
  };
  await walk(root, '');
  return { files, notes };
}

/** Files created or changed between two snapshots of one root. */
export function changedFiles(
  root: RootName,
  before: Snapshot | undefined,
  after: Snapshot,
): FileRecord[] {
  const changed: FileRecord[] = [];
  for (const [path, state] of after.files) {
    const old = before?.files.get(path);
    if (old && old.mtimeMs === state.mtimeMs && old.size === state.size && old.ino === state.ino)
      continue;
    changed.push({
      root,
      path,
      size: state.size,
      mode: state.mode,
      change: old ? 'modified' : 'created',
    });
  }
  return changed;
}
