/**
 * The canary list for `devicebound scan --canaries FILE`: exact values a `check` run issued,
 * searched for in every encoding the runner knows (raw, JSON, URL, hex, base64 at every
 * alignment, UTF-16LE, user-code variants).
 *
 * Format (JSON): `{"version": 1, "canaries": [{"kind": "access_token", "value": "…"}, …]}`, or
 * the bare list. `kind` is one of device_code, user_code, access_token, refresh_token, id_token,
 * client_secret, cloud_key.
 *
 * THE VALUES IN THIS FILE ARE SECRETS: it is the one file devicebound reads that holds raw
 * credentials. Keep it out of reports, artifacts and version control, with mode 0600, and delete
 * it after the scan. (`devicebound check --save-canaries FILE` writes it, mode 0600.)
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { CANARY_KINDS, type CanaryKind } from '../evidence/names.ts';
import { Secret } from '../evidence/secret.ts';
import { buildNeedles, type NeedleSet } from '../search/needles.ts';

/** Parses a canary file's text. Errors name the file and field, never a value. */
export function parseCanaries(text: string, file: string): NeedleSet {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError('not valid JSON', { file });
  }
  const list = Array.isArray(data)
    ? data
    : data !== null &&
        typeof data === 'object' &&
        Array.isArray((data as { canaries?: unknown }).canaries)
      ? (data as { canaries: unknown[] }).canaries
      : undefined;
  if (!list)
    throw new UsageError('expected a list of {kind, value}, or {"canaries": [...]}', {
      file,
      field: 'canaries',
    });
  const canaries = list.map((item, i) => {
    const field = `canaries[${i}]`;
    if (item === null || typeof item !== 'object')
      throw new UsageError('expected an object {kind, value}', { file, field });
    const { kind, value } = item as { kind?: unknown; value?: unknown };
    if (typeof kind !== 'string' || !CANARY_KINDS.includes(kind as CanaryKind))
      throw new UsageError(`kind must be one of ${CANARY_KINDS.join(', ')}`, {
        file,
        field: `${field}.kind`,
      });
    if (typeof value !== 'string' || value.length < 6)
      throw new UsageError('value must be a string of at least 6 characters', {
        file,
        field: `${field}.value`,
      });
    return { kind: kind as CanaryKind, secret: new Secret(value) };
  });
  if (!canaries.length)
    throw new UsageError('the canary list is empty', { file, field: 'canaries' });
  return buildNeedles(canaries);
}

export async function loadCanaries(file: string): Promise<NeedleSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      file,
    });
  }
  return parseCanaries(text, file);
}
