import type { IncomingMessage } from 'node:http';
import { E, parseForm } from '../http.ts';

/**
 * Request parameters of dialects that take either a form (RFC 6749) or a flat JSON object
 * (GitHub takes both; Octokit sends JSON). Values that are not strings are refused: they are
 * never credentials or scopes in any dialect the lab plays.
 */
export function parseParams(request: IncomingMessage, body: Buffer): Map<string, string> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return parseForm(request, body);
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(jsonObject(body))) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number')
      throw E.invalidRequest(`parameter '${name.slice(0, 40)}' must be a string`);
    params.set(name, String(value));
  }
  return params;
}

/** A request body that must be one JSON object; anything else is the client's `invalid_request`. */
export function jsonObject(body: Buffer): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    throw E.invalidRequest('body is not valid JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw E.invalidRequest('body must be a JSON object');
  return data as Record<string, unknown>;
}

/** True when the client asked for JSON (`Accept: application/json`). */
export function wantsJson(request: IncomingMessage): boolean {
  return /\bapplication\/json\b/i.test(request.headers.accept ?? '');
}

/** The bearer token of `Authorization: Bearer x` or GitHub's `Authorization: token x`. */
export function bearerOf(
  request: IncomingMessage,
  schemes = /^(?:Bearer|token)$/i,
): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^(\S+)\s+([\x21-\x7e]+)\s*$/.exec(header);
  return match?.[1] && match[2] && schemes.test(match[1]) ? match[2] : undefined;
}
