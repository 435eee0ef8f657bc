/**
 * HTTP content-codings undone (RFC 9110 §8.4): gzip, deflate (zlib-wrapped or raw, as servers
 * accept both), br and zstd, last applied first. Shared by everything that reads a body as the
 * other end would: the egress proxy's interception, HAR bodies and the recording proxy.
 */
import {
  brotliDecompressSync,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  zstdDecompressSync,
} from 'node:zlib';

/**
 * A body that decodes to more than this is not decoded (a decompression bomb stops here): the
 * caller gets the bytes as sent and a problem saying why.
 */
export const MAX_DECODED_BYTES = 32 * 1024 * 1024;

export interface Decoded {
  body: Buffer;
  /** Set when a coding was unknown or its data broken: `body` is then the bytes as sent. */
  problem?: string;
}

/** `body` with every coding `encoding` (a Content-Encoding header value) lists undone. */
export function decodeContent(
  body: Buffer,
  encoding: string | undefined,
  maxOutputLength = MAX_DECODED_BYTES,
): Decoded {
  if (!encoding || body.length === 0) return { body };
  let current = body;
  const codings = encoding
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  const limit = { maxOutputLength };
  try {
    for (const coding of codings) {
      if (coding === 'gzip' || coding === 'x-gzip') current = gunzipSync(current, limit);
      else if (coding === 'deflate') {
        try {
          current = inflateSync(current, limit);
        } catch {
          current = inflateRawSync(current, limit);
        }
      } else if (coding === 'br') current = brotliDecompressSync(current, limit);
      else if (coding === 'zstd') current = zstdDecompressSync(current, limit);
      else return { body, problem: `unknown content-encoding '${coding.slice(0, 40)}'` };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      body,
      problem:
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `it decodes to more than ${maxOutputLength / 1024 / 1024} MiB; searched as sent`
          : (code ?? 'corrupt data'),
    };
  }
  return { body: current };
}
