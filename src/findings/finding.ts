import { hash } from 'node:crypto';
import type { Fingerprint } from '../evidence/secret.ts';
import type { Severity } from './severity.ts';

/**
 * What every finding has, whichever source made it. Check, scan and inventory findings extend
 * it (analyze and probe findings will), each naming what found it in its own stable field
 * (`check`, `rule`, `tool`).
 *
 * The optional fields carry the names the stable JSON reports already use, so a finding type
 * extends this without adding or renaming a field in any report. A check finding has its places
 * and fingerprints on its evidence items instead, one per piece of evidence.
 */
export interface BaseFinding {
  severity: Severity;
  /** Standards it maps to, cited as DESIGN.md says: `RFC 8628 §3.5`, `NHI2:2025`, `CSF PR.DS-01`. */
  standards?: readonly string[];
  /** The file it is in: as the user named it (scan) or absolute (inventory). */
  path?: string;
  /** 1-based line in `path`, when known. */
  line?: number;
  /** 1-based column in `line`, when known. */
  column?: number;
  /** The `sha256:` fingerprint of the credential it is about, when it is about one. */
  fingerprint?: Fingerprint;
}

/**
 * A finding's identity from run to run (SARIF `partialFingerprints`): the sha256, in hex, of
 * what stays the same while the defect does (its rule, where it is, which credential), never
 * of what moves with timing or output. Parts are joined with NUL, so no two lists give one text.
 */
export function identityHash(parts: readonly string[]): string {
  return hash('sha256', parts.join('\0'), 'hex');
}
