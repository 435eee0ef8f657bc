/**
 * A detector knows one tool's cache files: where they live under a home and how to read them.
 * `inspect` is pure: the walker does all I/O (stat, read, parse, SQLite) and hands it the
 * parsed content. It throws `UnknownShapeError` when a file parses but is not in a shape it
 * knows; the walker reports that file as `unknown` instead of guessing.
 */
import type { Observation } from './model.ts';

/** How the walker parses a file before `inspect` sees it. `json-or-binary`: JSON when it
 * parses, opaque bytes (taken as encrypted) when it is not text at all. */
export type FileFormat = 'json' | 'yaml' | 'text' | 'ini' | 'sqlite' | 'binary' | 'json-or-binary';

export interface OwnedPath {
  /** Relative to the home, `/`-separated. */
  path: string;
  /** `dir`: every file in the folder whose name matches `match` (sub-folders to `depth`). */
  type: 'file' | 'dir';
  format: FileFormat;
  match?: RegExp;
  depth?: number;
}

export type IniSections = Record<string, Record<string, string>>;

export type ParsedFile =
  | { format: 'json' | 'yaml'; data: unknown }
  | { format: 'text'; text: string }
  | { format: 'ini'; sections: IniSections }
  | { format: 'sqlite'; tables: Record<string, Record<string, unknown>[]> }
  | { format: 'binary'; size: number };

export interface FileInput {
  /** Path relative to the home, `/`-separated (e.g. `.aws/sso/cache/abc.json`). */
  relativePath: string;
  /** The owned path this file was found through. */
  owned: OwnedPath;
  content: ParsedFile;
  /** The inventory's clock: a detector that judges by time uses this, never `new Date()`. */
  now: Date;
}

export interface Detector {
  /** Stable id, used in reports and SARIF rule ids: `gh`, `aws`, `gcloud`… */
  id: string;
  name: string;
  paths: OwnedPath[];
  inspect(input: FileInput): Observation[];
}

export class UnknownShapeError extends Error {}

/** Says a file parsed but is not in a shape the detector knows. */
export function unknownShape(reason: string): never {
  throw new UnknownShapeError(reason);
}
