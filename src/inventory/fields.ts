/** Small readers for untyped parsed content, shared by the detectors. */
import type { ParsedFile } from './detector.ts';
import { unknownShape } from './detector.ts';

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string field, or undefined. */
export function text(record: unknown, key: string): string | undefined {
  if (!isRecord(record)) return undefined;
  const value = record[key];
  if (typeof value === 'string' && value.length > 0) return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}

/**
 * A date from the shapes caches use: ISO 8601 text, `2024-01-01 10:00:00` (SQLite), or epoch
 * numbers (seconds or milliseconds, told apart by size), also as digit strings.
 */
export function dateOf(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return new Date(value > 1e11 ? value : value * 1000);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return dateOf(Number(value));
    const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(value) ? value.replace(' ', 'T') : value;
    const date = new Date(
      /[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`,
    );
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

/** The parsed JSON/YAML data of a file, or an unknown-shape error naming what was expected. */
export function dataOf(content: ParsedFile): unknown {
  if (content.format === 'json' || content.format === 'yaml') return content.data;
  return unknownShape(`expected structured data, got ${content.format}`);
}

export function objectOf(content: ParsedFile, what: string): Json {
  const data = dataOf(content);
  if (!isRecord(data)) unknownShape(`not a JSON object (${what})`);
  return data;
}

/** GitHub's token prefixes say what a token is (github.blog, "Behind GitHub's new
 * authentication token formats"). All of them are long-lived except `ghs_` installation tokens. */
export function githubTokenNote(token: string): string {
  if (token.startsWith('github_pat_')) return 'fine-grained personal access token';
  const prefix = /^(gh[pousr])_/.exec(token)?.[1];
  switch (prefix) {
    case 'ghp':
      return 'classic personal access token';
    case 'gho':
      return 'OAuth app token (no expiry)';
    case 'ghu':
      return 'GitHub App user token';
    case 'ghs':
      return 'GitHub App installation token';
    case 'ghr':
      return 'GitHub App refresh token';
    default:
      return 'token of unrecognised format';
  }
}
