/**
 * The file calls an inventory makes, in two kinds with one interface: synchronous for a home on
 * a local filesystem, asynchronous for one on a network filesystem or one that cannot be told
 * (../local-fs.ts says why).
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
  statSync,
} from 'node:fs';
import { lstat, open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { type FilesystemProbe, isLocalFilesystem } from '../local-fs.ts';

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
  realpath: async (path) => realpathSync.native(path),
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

/** The calls for a home whose real path is `root`. */
export function ioFor(root: string, system?: FilesystemProbe): HomeIo {
  return isLocalFilesystem(root, system) ? syncIo : asyncIo;
}
