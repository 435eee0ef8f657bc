// What an intercepted request to a destination the task does not play carried: every canary
// the lab issued, in every encoding the canary search knows, in the URL (query included), each
// header and the body (gzip, deflate, br and zstd decoded). Only fingerprints and previews come
// out; the request itself is dropped once searched.
import { decodeContent } from '../content-coding.ts';
import type { EgressCarried, EgressEvent } from '../evidence/events.ts';
import { buildNeedles, searchBuffer } from '../search/index.ts';
import type { Canary } from './canaries.ts';
import type { InterceptedRequest } from './proxy.ts';

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
  const decoded = decodeContent(request.body, encoding);
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

/** The path of a request target (origin or absolute form), without its query. */
function pathOf(target: string): string | undefined {
  try {
    const url = new URL(target, 'http://intercepted.invalid');
    return url.pathname;
  } catch {
    return undefined;
  }
}
