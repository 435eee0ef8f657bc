import type { Detection } from './content.ts';

/** A credential found at a place: a file, or a member of an archive in a file. */
export interface ScanFinding extends Detection {
  /** The file on disk, as the user named it (or under the folder they named). */
  path: string;
  /** Inside archives: member names joined by `!`, e.g. `inner.zip!logs/app.log`. */
  archivePath?: string;
}

/** Something not scanned (or scanned only in part), and why. Never holds file contents. */
export interface Skipped {
  path: string;
  reason: string;
}

export interface ScanLimits {
  /** A file larger than this is not scanned. */
  maxFileBytes: number;
  /** How many archive layers are opened (a .tar.gz is two). */
  maxDepth: number;
  /** Bytes expanded from all archives in one file, together. */
  maxExpandedBytes: number;
  /** Expanded bytes per compressed byte, judged once past 1 MiB. */
  maxRatio: number;
  /** Members of all archives in one file, together. */
  maxEntries: number;
  /** A zip inside an archive is read into memory to be opened: at most this much. */
  maxNestedZipBytes: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxDepth: 5,
  maxExpandedBytes: 1024 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 10_000,
  maxNestedZipBytes: 64 * 1024 * 1024,
};

/** `path!member!member` */
export function displayLocation(finding: Pick<ScanFinding, 'path' | 'archivePath'>): string {
  return finding.archivePath ? `${finding.path}!${finding.archivePath}` : finding.path;
}
