/**
 * Walks the paths every detector owns under one home: stats them, refuses symlinks that lead
 * out of the home, caps sizes, parses with care, and turns what the detectors observe into
 * entries. Nothing it reads is ever put in an entry, a problem or an error message.
 */
import { constants, type Stats } from 'node:fs';
import { access, realpath } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type Detector,
  type FileInput,
  type OwnedPath,
  type ParsedFile,
  UnknownShapeError,
} from './detector.ts';
import { buildEntry, type FileFacts } from './entry.ts';
import { parseIni } from './ini.ts';
import { type HomeIo, ioFor, NotRegularFileError } from './io.ts';
import type { InventoryEntry, InventoryProblem, Observation } from './model.ts';
import type { OwnerLookup } from './owners.ts';
import { readSqliteTables } from './sqlite.ts';

/** Cache files are small; a bigger one is not read (a log or a disk image is not a cache). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_SQLITE_BYTES = 64 * 1024 * 1024;
/** Files looked at per owned folder. */
const MAX_DIR_FILES = 500;

export interface WalkOptions {
  now: Date;
  owners: OwnerLookup;
  /** The file calls to walk with (default: by the home's filesystem, see io.ts). */
  io?: HomeIo;
}

export interface HomeInventory {
  entries: InventoryEntry[];
  problems: InventoryProblem[];
}

export async function inventoryHome(
  home: string,
  detectors: readonly Detector[],
  options: WalkOptions,
): Promise<HomeInventory> {
  const result: HomeInventory = { entries: [], problems: [] };
  let root: string;
  try {
    root = await realpath(home);
  } catch (error) {
    result.problems.push({ path: home, reason: `cannot open the home (${errorCode(error)})` });
    return result;
  }
  // Another user's home (mode 0700, --all-users without root): one problem, not one per path
  // every detector owns. Search permission is enough: a 0711 home is still walked.
  try {
    await access(root, constants.X_OK);
  } catch (error) {
    result.problems.push({ path: home, reason: `cannot open the home (${errorCode(error)})` });
    return result;
  }
  const walker = new Walker(home, root, options, result);
  for (const detector of detectors) {
    for (const owned of detector.paths) await walker.visit(detector, owned);
  }
  return result;
}

class Walker {
  readonly #home: string;
  readonly #root: string;
  readonly #options: WalkOptions;
  readonly #result: HomeInventory;
  readonly #io: HomeIo;

  constructor(home: string, root: string, options: WalkOptions, result: HomeInventory) {
    this.#home = home;
    this.#root = root;
    this.#options = options;
    this.#result = result;
    this.#io = options.io ?? ioFor(root);
  }

  async visit(detector: Detector, owned: OwnedPath): Promise<void> {
    const path = join(this.#home, ...owned.path.split('/'));
    if (owned.type === 'file') return this.#file(detector, owned, path);
    await this.#dir(detector, owned, path, owned.depth ?? 0);
  }

  async #dir(
    detector: Detector,
    owned: OwnedPath,
    path: string,
    depth: number,
    parentReal?: string,
  ): Promise<void> {
    const real = (await this.#inside(path, parentReal))?.real;
    if (real === undefined) return;
    let names: { name: string; isDirectory(): boolean }[];
    try {
      names = await this.#io.readdir(real);
    } catch (error) {
      if (errorCode(error) !== 'ENOTDIR') this.#problem(path, `cannot list (${errorCode(error)})`);
      return;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (names.length > MAX_DIR_FILES) {
      this.#problem(path, `${names.length} files; only the first ${MAX_DIR_FILES} were looked at`);
      names = names.slice(0, MAX_DIR_FILES);
    }
    for (const dirent of names) {
      const child = join(path, dirent.name);
      if (dirent.isDirectory()) {
        if (depth > 0) await this.#dir(detector, owned, child, depth - 1, real);
      } else if (!owned.match || owned.match.test(dirent.name)) {
        await this.#file(detector, owned, child, real);
      }
    }
  }

  /**
   * The real path when `path` exists and resolves inside the home; otherwise reports why not
   * (a missing path is not a problem: the tool is simply not used). In a folder already
   * resolved (`parentReal`), an entry that is not a symlink is that folder's real path and its
   * name, with its `lstat` as its `stat`: no `realpath` and no second `stat` per file, which
   * were most of the time of an inventory of many homes.
   */
  async #inside(
    path: string,
    parentReal?: string,
  ): Promise<{ real: string; info?: Stats } | undefined> {
    let link: Stats;
    try {
      link = await this.#io.lstat(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR')
        this.#problem(path, `cannot stat (${errorCode(error)})`);
      return undefined;
    }
    if (parentReal !== undefined && !link.isSymbolicLink())
      return { real: join(parentReal, basename(path)), info: link };
    let real: string;
    try {
      real = await this.#io.realpath(path);
    } catch (error) {
      this.#problem(path, `broken symlink (${errorCode(error)})`);
      return undefined;
    }
    const rel = relative(this.#root, real);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      this.#problem(path, 'symlink that leads out of the home: not followed');
      return undefined;
    }
    return { real };
  }

  async #file(
    detector: Detector,
    owned: OwnedPath,
    path: string,
    parentReal?: string,
  ): Promise<void> {
    const found = await this.#inside(path, parentReal);
    if (found === undefined) return;
    const { real } = found;
    const info =
      found.info ??
      (await this.#io.stat(real).catch((error: unknown) => {
        this.#problem(path, `cannot stat (${errorCode(error)})`);
        return undefined;
      }));
    if (!info) return;
    if (!info.isFile()) {
      if (!info.isDirectory()) this.#problem(path, 'not a regular file: not read');
      return;
    }
    const cap = owned.format === 'sqlite' ? MAX_SQLITE_BYTES : MAX_FILE_BYTES;
    if (info.size > cap) {
      this.#problem(path, `${info.size} bytes, over the ${cap}-byte cap: not read`);
      return;
    }
    const facts: FileFacts = {
      home: this.#home,
      path,
      mode: info.mode,
      owner: this.#options.owners.name(info.uid),
      modifiedAt: info.mtime,
    };
    const relativePath = relative(this.#home, path).split(sep).join('/');

    let content: ParsedFile;
    try {
      content = await parseFile(real, owned, this.#io);
    } catch (error) {
      if (error instanceof Unreadable) {
        this.#problem(path, error.message);
        return;
      }
      this.#add(
        detector,
        {
          credentials: [],
          storage: 'unknown',
          status: 'malformed',
          notes: [
            `does not parse as ${owned.format === 'json-or-binary' ? 'json' : owned.format}: ${safeReason(error)}`,
          ],
        },
        facts,
      );
      return;
    }
    let observations: Observation[];
    try {
      observations = detector.inspect({
        relativePath,
        owned,
        content,
        now: this.#options.now,
      } satisfies FileInput);
    } catch (error) {
      const reason = error instanceof UnknownShapeError ? error.message : safeReason(error);
      observations = [
        {
          credentials: [],
          storage: 'unknown',
          status: 'unknown',
          notes: [`not in a known ${detector.name} format: ${reason}`],
        },
      ];
    }
    for (const observation of observations) this.#add(detector, observation, facts);
  }

  #add(detector: Detector, observation: Observation, facts: FileFacts): void {
    this.#result.entries.push(buildEntry(detector, observation, facts, this.#options.now));
  }

  #problem(path: string, reason: string): void {
    this.#result.problems.push({ path, reason });
  }
}

/** A file that exists but cannot be read: a problem, not a malformed entry. */
class Unreadable extends Error {}

async function parseFile(file: string, owned: OwnedPath, io: HomeIo): Promise<ParsedFile> {
  if (owned.format === 'sqlite') {
    // Opened first: tells an unreadable file apart from a malformed one.
    await io.openable(file).catch((error: unknown) => {
      throw unreadable(error);
    });
    return { format: 'sqlite', tables: readSqliteTables(file) };
  }
  const bytes = await readBytes(file, io);
  if (owned.format === 'binary') return { format: 'binary', size: bytes.length };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (owned.format === 'json-or-binary') return { format: 'binary', size: bytes.length };
    throw new Error('not UTF-8 text');
  }
  if (owned.format === 'json-or-binary' && text.includes('\u0000'))
    return { format: 'binary', size: bytes.length };
  switch (owned.format) {
    case 'json':
    case 'json-or-binary':
      return { format: 'json', data: JSON.parse(text.replace(/^\uFEFF/, '')) };
    case 'yaml':
      return { format: 'yaml', data: parseYaml(text) };
    case 'ini':
      return { format: 'ini', sections: parseIni(text) };
    case 'text':
      return { format: 'text', text };
  }
}

async function readBytes(file: string, io: HomeIo): Promise<Buffer> {
  try {
    return await io.readFile(file);
  } catch (error) {
    throw unreadable(error);
  }
}

function unreadable(error: unknown): Unreadable {
  return new Unreadable(
    error instanceof NotRegularFileError
      ? 'not a regular file once opened: not read'
      : `cannot read (${errorCode(error)})`,
  );
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

/**
 * A parser's complaint without the file's content: JSON.parse and YAML quote the text around
 * the fault, which may be a secret. Only the kind of error and a position are kept.
 */
function safeReason(error: unknown): string {
  if (!(error instanceof Error)) return 'unreadable content';
  const position = /position (\d+)|line (\d+)|at line (\d+), column (\d+)/i.exec(error.message);
  const kind = error.name === 'Error' ? 'invalid' : error.name;
  if (/not UTF-8/.test(error.message)) return 'not UTF-8 text';
  if (/file is not a database|database disk image is malformed/i.test(error.message))
    return 'not an SQLite database';
  if (/^line \d+: expected key = value$/.test(error.message)) return error.message;
  return position ? `${kind} at ${position[0]}` : kind;
}
