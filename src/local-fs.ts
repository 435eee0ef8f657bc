/**
 * Whether a path lies on a local filesystem, where devicebound reads with synchronous calls.
 *
 * An asynchronous call goes through libuv's thread pool: handing it over and collecting the
 * answer cost the calling thread more than the call itself when the data is in the page cache
 * (an inventory of 200 homes spent ~1 s of its ~2.2 s so), and on a machine with as many
 * scanning threads as cores the pool's threads only take turns with them. On a network
 * filesystem each call waits for a round trip instead, and asynchronous calls let those waits
 * overlap: there they stay. A leaf module: `inventory` and `scan` both ask it.
 */
import { statfsSync } from 'node:fs';

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

/** What is asked of the system (injectable, so that tests can be any filesystem). */
export interface FilesystemProbe {
  platform: NodeJS.Platform;
  statfs(path: string | Buffer): { type: number };
}

const SYSTEM: FilesystemProbe = { platform: process.platform, statfs: statfsSync };

/**
 * True when `path` is on a local filesystem. False on a network one, and wherever it cannot
 * be told (`statfs` failing, or a platform whose `statfs` type is not Linux's magic number):
 * there the asynchronous calls are slower on a local disk but never stuck behind a slow share.
 */
export function isLocalFilesystem(
  path: string | Buffer,
  system: FilesystemProbe = SYSTEM,
): boolean {
  if (system.platform !== 'linux') return false;
  let type: number;
  try {
    type = system.statfs(path).type;
  } catch {
    return false;
  }
  // statfs's f_type is a signed word on some architectures: compare as unsigned 32 bits.
  return !NETWORK_FILESYSTEMS.has(type >>> 0);
}
