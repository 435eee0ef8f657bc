// What an intercepted request to a destination the task does not play carried: every canary
// the lab issued, in every encoding the canary search knows, in the URL (query included), each
// header and the body (gzip, deflate, br and zstd decoded). Only fingerprints and previews come
// out; the request itself is dropped once searched.
import {
  brotliDecompressSync,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  zstdDecompressSync,
} from 'node:zlib';
import type { EgressCarried, EgressEvent } from '../evidence/events.ts';
import { buildNeedles, searchBuffer } from '../search/index.ts';
import type { Canary } from './canaries.ts';
import type { InterceptedRequest } from './proxy.ts';

/**
 * A body that decodes to more than this is not decoded (a decompression bomb stops here): it is
 * searched as sent, and the event's reason says the body could not be decoded.
 */
const MAX_DECODED_BYTES = 32 * 1024 * 1024;

/** The egress event of an intercepted request: where it went, what it carried, never a value. */
export function inspectIntercepted(
  request: InterceptedRequest,
  canaries: readonly Canary[],
  redact: (text: string) => string,
): Omit<EgressEvent, 'type' | 'seq' | 't'> {
  const needles = buildNeedles(canaries);
  const carried: EgressCarried[] = [];
  const seen = new Set<string>();
  const note = (where: EgressCarried['where'], buffer: Buffer, header?: string) => {
    for (const hit of searchBuffer(buffer, needles)) {
      const key = `${hit.canary}\u0000${where}\u0000${header ?? ''}\u0000${hit.encoding}`;
      if (seen.has(key)) continue;
      seen.add(key);
      carried.push({
        kind: hit.kind,
        fingerprint: hit.canary,
        preview: hit.preview,
        encoding: hit.encoding,
        where,
        ...(header !== undefined && { header }),
      });
    }
  };

  note('url', Buffer.from(request.target, 'utf8'));
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    note('header', Buffer.from(Array.isArray(value) ? value.join('\n') : value, 'utf8'), name);
  }
  const encoding = headerValue(request.headers['content-encoding']);
  const decoded = decode(request.body, encoding);
  note('body', decoded.body);

  const path = pathOf(request.target);
  return {
    method: request.method,
    scheme: request.scheme,
    host: request.host,
    port: request.port,
    ...(path !== undefined && { path: redact(path) }),
    action: 'intercepted',
    reason: request.unfinished
      ? 'read in part (nothing forwarded): the client left before the body ended; what arrived was searched'
      : decoded.problem
        ? `read and answered 503 (nothing forwarded); the body could not be decoded: ${decoded.problem}`
        : request.truncated
          ? 'read and answered 503 (nothing forwarded); only the first 8 MiB of the body were searched'
          : 'read and answered 503 (nothing forwarded)',
    carried,
    bodyBytes: request.body.length,
    ...(encoding && { contentEncoding: encoding }),
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value.join(',') : value;
  const trimmed = text?.trim().toLowerCase();
  return trimmed ? trimmed : undefined;
}

/**
 * The body as the server would read it: each listed content-coding undone, last applied first
 * (RFC 9110 §8.4). An unknown or broken coding leaves the raw bytes, which are searched too.
 */
function decode(body: Buffer, encoding: string | undefined): { body: Buffer; problem?: string } {
  if (!encoding || body.length === 0) return { body };
  let current = body;
  const codings = encoding
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  const limit = { maxOutputLength: MAX_DECODED_BYTES };
  try {
    for (const coding of codings) {
      if (coding === 'gzip' || coding === 'x-gzip') current = gunzipSync(current, limit);
      else if (coding === 'deflate') {
        // Servers accept zlib-wrapped and raw deflate alike.
        try {
          current = inflateSync(current, limit);
        } catch {
          current = inflateRawSync(current, limit);
        }
      } else if (coding === 'br') current = brotliDecompressSync(current, limit);
      else if (coding === 'zstd') current = zstdDecompressSync(current, limit);
      else
        return {
          body: Buffer.concat([body]),
          problem: `unknown content-encoding '${coding.slice(0, 40)}'`,
        };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      body: Buffer.concat([body]),
      problem:
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `it decodes to more than ${MAX_DECODED_BYTES / 1024 / 1024} MiB; searched as sent`
          : (code ?? 'corrupt data'),
    };
  }
  return { body: current };
}

/** The path of a request target (origin or absolute form), without its query. */
function pathOf(target: string): string | undefined {
  try {
    const url = new URL(target, 'http://intercepted.invalid');
    return url.pathname;
  } catch {
    return undefined;
  }
}
