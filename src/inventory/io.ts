/**
 * The file calls an inventory makes, in two kinds with one interface.
 *
 * A home on a local filesystem is walked with synchronous calls. An asynchronous call goes
 * through libuv's thread pool, and handing it over and collecting the answer cost the main
 * thread more than the call itself: an inventory of 200 homes spent ~1 s of its ~2.2 s in
 * submitting ~50,000 lstat, realpath, open, read and close calls whose work, on inodes in the
 * page cache, takes microseconds.
 *
 * A home on a network filesystem (NFS, SMB, a FUSE mount…) keeps asynchronous calls: there
 * each call waits for a round trip, and the homes walked at once overlap their waits instead
 * of queueing them behind one another. Where the filesystem cannot be told (`statfs` missing
 * or failing, or a platform whose `statfs` type is not Linux's magic number), the walk takes
 * the asynchronous calls too: slower on a local disk, never stuck behind a slow share.
 */
import {
  closeSync,
  type Dirent,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  type Stats,
  statfsSync,
  statSync,
} from 'node:fs';
import { lstat, open, readdir, readFile, realpath, stat } from 'node:fs/promises';

export interface HomeIo {
  /** `sync` for a local home, `async` for a network one (or one that cannot be told). */
  readonly kind: 'sync' | 'async';
  lstat(path: string): Promise<Stats>;
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  readdir(path: string): Promise<Dirent[]>;
  readFile(path: string): Promise<Buffer>;
  /** Opens and closes the file: it can be read. */
  openable(path: string): Promise<void>;
}

/** Each call made at once; its result or its error comes back as a settled promise. */
export const syncIo: HomeIo = {
  kind: 'sync',
  lstat: async (path) => lstatSync(path),
  stat: async (path) => statSync(path),
  realpath: async (path) => realpathSync(path),
  readdir: async (path) => readdirSync(path, { withFileTypes: true }),
  readFile: async (path) => readFileSync(path),
  openable: async (path) => closeSync(openSync(path, 'r')),
};

export const asyncIo: HomeIo = {
  kind: 'async',
  lstat: (path) => lstat(path),
  stat: (path) => stat(path),
  realpath: (path) => realpath(path),
  readdir: (path) => readdir(path, { withFileTypes: true }),
  readFile: (path) => readFile(path),
  openable: async (path) => (await open(path, 'r')).close(),
};

/**
 * Linux `statfs` magic numbers (linux/magic.h and the filesystems' own sources) of the
 * filesystems whose calls cross a network or leave the kernel.
 */
export const NETWORK_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xff534d42, 'CIFS'],
  [0xfe534d42, 'SMB2'],
  [0x65735546, 'FUSE'],
  [0x5346414f, 'AFS'],
  [0x6b414653, 'kAFS'],
  [0x00c36400, 'Ceph'],
  [0x01021997, '9P'],
  [0x01161970, 'GFS2'],
  [0x0bd00bd0, 'Lustre'],
  [0x7461636f, 'OCFS2'],
  [0x73757245, 'Coda'],
  [0x564c, 'NCP'],
  [0x47504653, 'GPFS'],
]);

/** The calls for a home whose real path is `root` (see the top of this file). */
export function ioFor(
  root: string,
  system: { platform: NodeJS.Platform; statfs(path: string): { type: number } } = {
    platform: process.platform,
    statfs: statfsSync,
  },
): HomeIo {
  if (system.platform !== 'linux') return asyncIo;
  let type: number;
  try {
    type = system.statfs(root).type;
  } catch {
    return asyncIo;
  }
  // statfs's f_type is a signed word on some architectures: compare as unsigned 32 bits.
  return NETWORK_FILESYSTEMS.has(type >>> 0) ? asyncIo : syncIo;
}
