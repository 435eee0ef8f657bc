import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readlink, realpath, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isVendored, MAX_SNAPSHOT_ENTRIES } from './snapshot.ts';

/**
 * Bytes of regular files one scenario copies from the working directory (`.git` and
 * `node_modules` aside). A bigger folder is not copied: the program runs in it directly, as
 * it did before working copies existed, and the scenario's notes say so.
 */
export const WORKING_COPY_LIMIT_BYTES = 128 * 1024 * 1024;

/** Files copied at once (the thread pool has four threads; more only queue). */
const COPY_CONCURRENCY = 8;

/** Where the program of a scenario runs, and what the copy could not reproduce. */
export interface WorkingCopy {
  /** The scenario's own copy, or the working directory itself when it was not copied. */
  path: string;
  copied: boolean;
  /** Ready for the scenario's notes (`./…`). */
  notes: string[];
}

interface Plan {
  dirs: { rel: string; mode: number }[];
  files: { rel: string; size: number }[];
  links: { rel: string; target: string }[];
  /** `.git` and `node_modules`: linked to the originals, never copied. */
  vendored: string[];
  bytes: number;
  entries: number;
  notes: string[];
}

/**
 * Copies the working directory `source` to `target` (which must not exist), so that a scenario's
 * program writes into its own folder: concurrent scenarios do not see each other's files, and
 * nothing the program writes (lab canaries included) lands in the user's folder.
 *
 * - Regular files are copied with their mode, as reflinks where the file system can clone
 *   (`COPYFILE_FICLONE`: btrfs, XFS, APFS), byte copies elsewhere. Never hard links: a program
 *   writing to a hard-linked file would change the user's file.
 * - `.git` and `node_modules` (at any depth) become symbolic links to the originals: tools need
 *   them (git remotes, module resolution), copying them would be slow, and the snapshot never
 *   judged them. A program writing there writes into the user's folder, as before.
 * - Symbolic links are recreated, never followed: one that leads to a place inside the working
 *   directory points to the same place in the copy (by a relative path); one that leads out of
 *   it is left out with a note, so the program cannot reach past its copy through the tree.
 * - FIFOs, sockets, devices and unreadable files or folders are left out with a note.
 * - `skip` (devicebound's own run folder) is left out altogether.
 *
 * When the folder has more than `limitBytes` of files or more entries than a snapshot walks,
 * or the copy fails (a full disk), nothing is copied: the program runs in `source` itself and a
 * note says why.
 */
export async function copyWorkingDirectory(
  source: string,
  target: string,
  options: { skip?: ReadonlySet<string>; limitBytes?: number } = {},
): Promise<WorkingCopy> {
  const limit = options.limitBytes ?? WORKING_COPY_LIMIT_BYTES;
  const inPlace = (reason: string, notes: string[] = []): WorkingCopy => ({
    path: source,
    copied: false,
    notes: [
      ...notes,
      `./: ${reason}: the program ran in the working directory itself, where other scenarios see its files and what it writes stays`,
    ],
  });
  let root: string;
  try {
    root = await realpath(source);
  } catch (error) {
    return inPlace(`cannot resolve the working directory (${code(error)})`);
  }
  const skip = new Set<string>();
  for (const path of options.skip ?? []) skip.add(await realpath(path).catch(() => path));

  let plan: Plan;
  try {
    plan = await planCopy(root, skip);
  } catch (error) {
    return inPlace(`cannot read the working directory (${code(error)})`);
  }
  if (plan.entries > MAX_SNAPSHOT_ENTRIES) {
    return inPlace(`more than ${MAX_SNAPSHOT_ENTRIES} entries, too many to copy`);
  }
  if (plan.bytes > limit) {
    return inPlace(
      `${size(plan.bytes)} of files (.git and node_modules aside), more than the ${size(limit)} a scenario copies`,
    );
  }
  try {
    await applyPlan(plan, root, target);
  } catch (error) {
    await rm(target, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
    return inPlace(`cannot copy the working directory (${code(error)})`);
  }
  return { path: target, copied: true, notes: plan.notes };
}

/** The folder a scenario's copy of `cwd` goes to: named like the original, as programs may read it. */
export function workingCopyPath(parent: string, cwd: string): string {
  return join(parent, basename(cwd) || 'root');
}

/** Walks the working directory read-only and lists what to make; nothing is written yet. */
async function planCopy(root: string, skip: ReadonlySet<string>): Promise<Plan> {
  const plan: Plan = {
    dirs: [],
    files: [],
    links: [],
    vendored: [],
    bytes: 0,
    entries: 0,
    notes: [],
  };
  const leaveOut = (rel: string, why: string) => plan.notes.push(`./${rel}: ${why}, not copied`);

  const walk = async (dir: string, relative: string): Promise<void> => {
    let dirents: string[];
    try {
      dirents = await readdir(dir);
    } catch (error) {
      if (!relative) throw error;
      leaveOut(relative, `folder cannot be read (${code(error)})`);
      return;
    }
    const pending: Promise<void>[] = [];
    for (const name of dirents) {
      if (++plan.entries > MAX_SNAPSHOT_ENTRIES) return;
      const path = join(dir, name);
      const rel = relative ? `${relative}/${name}` : name;
      if (skip.has(path)) continue;
      if (isVendored(name)) {
        plan.vendored.push(rel);
        continue;
      }
      pending.push(
        lstat(path).then(
          (stat) => {
            if (stat.isDirectory()) {
              plan.dirs.push({ rel, mode: stat.mode & 0o7777 });
              return walk(path, rel);
            }
            if (stat.isFile()) {
              plan.files.push({ rel, size: stat.size });
              plan.bytes += stat.size;
              return;
            }
            if (stat.isSymbolicLink()) {
              return linkInside(root, path).then((target) => {
                if (target === undefined)
                  leaveOut(rel, 'symbolic link out of the working directory');
                else plan.links.push({ rel, target });
              });
            }
            leaveOut(rel, stat.isFIFO() ? 'FIFO' : stat.isSocket() ? 'socket' : 'device');
          },
          () => {}, // removed meanwhile
        ),
      );
    }
    await Promise.all(pending);
  };
  await walk(root, '');
  // Parents before children, and stable notes.
  plan.dirs.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  plan.notes.sort();
  return plan;
}

/**
 * The text for a copy of the symbolic link at `path`, or undefined when it leads out of `root`
 * (judged by where it really leads, so `a/../..` through another link is caught; a dangling
 * link by its text). The copy gets the shortest relative path to that place, never the text
 * itself: an absolute text would point back into the user's folder, and `..` past the root
 * (which stops at `/`) would climb out of the copy, which sits deeper.
 */
async function linkInside(root: string, path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readlink(path);
  } catch {
    return undefined;
  }
  const leads = await realpath(path).catch(() => resolve(dirname(path), text));
  if (leads !== root && !leads.startsWith(root + sep)) return undefined;
  return relative(dirname(path), leads) || '.';
}

async function applyPlan(plan: Plan, root: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  // Owner rwx is kept on every folder so the sandbox can always be removed.
  for (const dir of plan.dirs) {
    await mkdir(join(target, dir.rel), { mode: (dir.mode & 0o777) | 0o700 });
  }
  const files = plan.files;
  let next = 0;
  const copyNext = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++] as Plan['files'][number];
      try {
        await copyFile(
          join(root, file.rel),
          join(target, file.rel),
          constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE,
        );
      } catch (error) {
        const reason = code(error);
        // A file the user cannot read, or one removed meanwhile, is left out; anything else
        // (a full disk) means there is no faithful copy.
        if (reason !== 'EACCES' && reason !== 'EPERM' && reason !== 'ENOENT') throw error;
        if (reason !== 'ENOENT')
          plan.notes.push(`./${file.rel}: cannot be read (${reason}), not copied`);
      }
    }
  };
  await Promise.all(Array.from({ length: COPY_CONCURRENCY }, copyNext));
  for (const link of plan.links) await symlink(link.target, join(target, link.rel));
  for (const rel of plan.vendored) await symlink(join(root, rel), join(target, rel));
  plan.notes.sort();
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${Math.ceil(bytes / (1024 * 1024))} MiB`;
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}
