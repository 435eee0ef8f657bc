/**
 * Baselines: fingerprints of findings already known, so that a scan reports only new ones.
 * A baseline holds fingerprints only (`{"version": 1, "fingerprints": ["sha256:…"]}`); a JSON
 * scan report is accepted as a baseline too (its findings' fingerprints are used).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { Fingerprint } from '../evidence/secret.ts';

const FINGERPRINT = /^sha256:[0-9a-f]{64}$/;

export function parseBaseline(text: string, file: string): Set<Fingerprint> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError('not valid JSON', { file });
  }
  const object = (data ?? {}) as { fingerprints?: unknown; findings?: unknown };
  const list: unknown[] = Array.isArray(object.fingerprints)
    ? object.fingerprints
    : Array.isArray(object.findings)
      ? object.findings.map((f) => (f as { fingerprint?: unknown } | null)?.fingerprint)
      : [];
  if (!Array.isArray(object.fingerprints) && !Array.isArray(object.findings))
    throw new UsageError('expected {"fingerprints": [...]} or a JSON scan report', {
      file,
      field: 'fingerprints',
    });
  const set = new Set<Fingerprint>();
  for (const [i, value] of list.entries()) {
    if (typeof value !== 'string' || !FINGERPRINT.test(value))
      throw new UsageError('expected a sha256:<64 hex> fingerprint', {
        file,
        field: `fingerprints[${i}]`,
      });
    set.add(value as Fingerprint);
  }
  return set;
}

export async function loadBaseline(file: string): Promise<Set<Fingerprint>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      file,
    });
  }
  return parseBaseline(text, file);
}

export function renderBaseline(fingerprints: Iterable<Fingerprint>): string {
  return `${JSON.stringify({ version: 1, fingerprints: [...new Set(fingerprints)].sort() }, null, 2)}\n`;
}
