// How checks word things in messages and evidence summaries, so every check says them alike.
import type { CanaryEncoding } from '../evidence/model.ts';
import type { CanaryKind } from '../evidence/names.ts';

/** `2.1 s`: lab milliseconds as seconds, one decimal. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `5 s`, `7.5 s`: an interval given in seconds, without trailing zeros. */
export function interval(secondsValue: number): string {
  return `${Number(secondsValue.toFixed(3))} s`;
}

const KIND_NAMES: Record<CanaryKind, string> = {
  device_code: 'device code',
  user_code: 'user code',
  access_token: 'access token',
  refresh_token: 'refresh token',
  id_token: 'ID token',
  client_secret: 'client secret',
  cloud_key: 'cloud key',
};

export function kindName(kind: CanaryKind): string {
  return KIND_NAMES[kind];
}

const ENCODING_PHRASES: Record<CanaryEncoding, string> = {
  raw: 'in plain text',
  json: 'in plain text (JSON-escaped)',
  'user-code-variant': 'in plain text (reformatted)',
  base64: 'base64-encoded',
  base64url: 'base64url-encoded',
  hex: 'hex-encoded',
  url: 'URL-encoded',
  utf16le: 'as UTF-16',
};

/** `in plain text`, `base64-encoded`: how a secret was written. */
export function encodingPhrase(encoding: CanaryEncoding): string {
  return ENCODING_PHRASES[encoding];
}

/** `a`, `a and b`, `a, b and c`. */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Like `list`, but names at most `max` items and counts the rest: `a, b and 3 more`. */
export function shortList(items: readonly string[], max = 3): string {
  if (items.length <= max) return list(items);
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** `1 poll`, `3 polls`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** `644`: the permission bits of a file mode, in octal. */
export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(3, '0');
}

/** Distinct values, first occurrence first. */
export function distinct<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
