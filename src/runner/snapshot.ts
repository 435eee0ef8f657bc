import type { Dirent } from 'node:fs';
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

/** `.git` and `node_modules`: never walked in a working directory, never copied (see `working-copy.ts`). */
export function isVendored(name: string): boolean {
  return SKIPPED_DIRS.has(name);
}

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
  // Entry types come from readdir, so only regular files need an lstat; the lstats of one
  // folder and its subfolders' walks run concurrently (a sequential walk of a 500-file working
  // directory cost ~130 ms per snapshot, twice per run).
  const walk = async (dir: string, relative: string): Promise<void> => {
    let dirents: Dirent[];
    try {
      dirents = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      notes.push(
        `cannot read folder ${relative || '.'}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return;
    }
    const pending: Promise<void>[] = [];
    for (const dirent of dirents) {
      if (++entries > MAX_SNAPSHOT_ENTRIES) {
        if (entries === MAX_SNAPSHOT_ENTRIES + 1)
          notes.push(`stopped after ${MAX_SNAPSHOT_ENTRIES} entries`);
        break;
      }
      const { name } = dirent;
      const path = join(dir, name);
      const rel = relative ? `${relative}/${name}` : name;
      if (dirent.isDirectory()) {
        if (options.skipVendored && SKIPPED_DIRS.has(name)) continue;
        if (options.skip?.has(path)) continue;
        pending.push(walk(path, rel));
      } else if (dirent.isFile()) {
        pending.push(
          lstat(path).then(
            (stat) => {
              if (!stat.isFile()) return; // replaced meanwhile
              files.set(rel, {
                size: stat.size,
                mtimeMs: stat.mtimeMs,
                ino: stat.ino,
                mode: stat.mode & 0o7777,
              });
            },
            () => {}, // removed meanwhile
          ),
        );
      } else if (dirent.isSymbolicLink()) {
        // A working copy links `.git` and `node_modules` to the originals: skipped as folders are.
        if (options.skipVendored && SKIPPED_DIRS.has(name)) continue;
        notes.push(`${rel}: symbolic link, not followed`);
      } else if (
        dirent.isFIFO() ||
        dirent.isSocket() ||
        dirent.isBlockDevice() ||
        dirent.isCharacterDevice()
      ) {
        const type = dirent.isFIFO() ? 'FIFO' : dirent.isSocket() ? 'socket' : 'device';
        notes.push(`${rel}: ${type}, not opened`);
      } else {
        // A file system without entry types in readdir: ask lstat, as the walk always did.
        pending.push(
          lstat(path).then(
            (stat) => {
              if (stat.isFile()) {
                files.set(rel, {
                  size: stat.size,
                  mtimeMs: stat.mtimeMs,
                  ino: stat.ino,
                  mode: stat.mode & 0o7777,
                });
              } else if (stat.isDirectory() && !(options.skipVendored && SKIPPED_DIRS.has(name))) {
                return walk(path, rel);
              } else if (!stat.isDirectory()) {
                notes.push(`${rel}: not a regular file, not opened`);
              }
            },
            () => {},
          ),
        );
      }
    }
    await Promise.all(pending);
  };
  await walk(root, '');
  notes.sort();
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
