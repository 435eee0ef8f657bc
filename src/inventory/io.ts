/**
 * The file calls an inventory makes, in two kinds with one interface: synchronous for a home on
 * a local filesystem, asynchronous for one on a network filesystem or one that cannot be told
 * (../local-fs.ts says why).
 */
import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { type FilesystemProbe, isLocalFilesystem } from '../local-fs.ts';

export interface HomeIo {
  /** `sync` for a local home, `async` for a network one (or one that cannot be told). */
  readonly kind: 'sync' | 'async';
  lstat(path: string): Promise<Stats>;
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  readdir(path: string): Promise<Dirent[]>;
  /**
   * The file's bytes. Opened without waiting for a writer and checked to be a regular file
   * once open, so that a file swapped for a FIFO after the walk stat'ed it is refused
   * (`NotRegularFileError`), not waited on for ever.
   */
  readFile(path: string): Promise<Buffer>;
  /** Opens and closes the file, with the same check: it can be read. */
  openable(path: string): Promise<void>;
}

/** A path that was a regular file when stat'ed is something else once opened. */
export class NotRegularFileError extends Error {
  constructor() {
    super('not a regular file once opened');
  }
}

/** Opening a FIFO for reading waits for a writer unless O_NONBLOCK. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Each call made at once; its result or its error comes back as a settled promise. */
export const syncIo: HomeIo = {
  kind: 'sync',
  lstat: async (path) => lstatSync(path),
  stat: async (path) => statSync(path),
  realpath: async (path) => realpathSync.native(path),
  readdir: async (path) => readdirSync(path, { withFileTypes: true }),
  readFile: async (path) => withRegularSync(path, (fd) => readFileSync(fd)),
  openable: async (path) => withRegularSync(path, () => undefined),
};

export const asyncIo: HomeIo = {
  kind: 'async',
  lstat: (path) => lstat(path),
  stat: (path) => stat(path),
  realpath: (path) => realpath(path),
  readdir: (path) => readdir(path, { withFileTypes: true }),
  readFile: (path) => withRegular(path, (handle) => handle.readFile()),
  openable: (path) => withRegular(path, async () => undefined),
};

function withRegularSync<T>(path: string, use: (fd: number) => T): T {
  const fd = openSync(path, READ_FLAGS);
  try {
    if (!fstatSync(fd).isFile()) throw new NotRegularFileError();
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

async function withRegular<T>(path: string, use: (handle: FileHandle) => Promise<T>): Promise<T> {
  const handle = await open(path, READ_FLAGS);
  try {
    if (!(await handle.stat()).isFile()) throw new NotRegularFileError();
    return await use(handle);
  } finally {
    await handle.close();
  }
}

/** The calls for a home whose real path is `root`. */
export function ioFor(root: string, system?: FilesystemProbe): HomeIo {
  return isLocalFilesystem(root, system) ? syncIo : asyncIo;
}
