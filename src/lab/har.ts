/**
 * One exchange of the lab (or of its egress proxy) as a HAR entry, with every credential the
 * lab issued replaced by a stand-in derived from its fingerprint: `devicebound-redacted-
 * access_token-1a2b…`. The same credential always gets the same stand-in, so `analyze` on the
 * HAR still follows each flow. A text that still holds a credential after that (base64, hex, a
 * JSON escape…) is withheld whole: no saved HAR ever holds a value.
 */
import type { HarEntry, HarNameValue } from '../evidence/har.ts';
import { buildNeedles, type NeedleSet, searchBuffer } from '../search/index.ts';
import type { CanaryRegistry } from './canaries.ts';

export interface LabExchange {
  startedAt: number;
  durationMs: number;
  method: string;
  url: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody: Buffer | undefined;
  /** 0 when the connection was dropped instead of answered. */
  status: number;
  responseHeaders: Record<string, string | number | string[] | undefined>;
  responseBody: Buffer | undefined;
  comment?: string;
}

/** A stand-in for a credential: its kind and the first 24 hex digits of its fingerprint. */
export function standIn(kind: string, fingerprint: string): string {
  return `devicebound-redacted-${kind}-${fingerprint.replace(/^sha256:/, '').slice(0, 24)}`;
}

/**
 * Makes the HAR entries of one lab. The stand-ins and the search for what is left are built
 * once per set of canaries, not per exchange (a lab answers thousands of polls).
 */
export class HarRecorder {
  readonly #canaries: CanaryRegistry;
  #built = -1;
  #replacements: { value: string; to: string }[] = [];
  #needles: NeedleSet | undefined;

  constructor(canaries: CanaryRegistry) {
    this.#canaries = canaries;
  }

  entry(exchange: LabExchange): HarEntry {
    if (this.#built !== this.#canaries.size) this.#build();
    return harEntryOf(exchange, this.#replacements, this.#needles);
  }

  #build(): void {
    const list = this.#canaries.list();
    this.#built = list.length;
    this.#replacements = list
      .map(({ kind, secret }) => ({
        value: secret.reveal(),
        to: standIn(kind, secret.fingerprint),
      }))
      .filter(({ value }) => value.length >= 6)
      // Longest first: a value inside another (a token inside a JWT) goes with it.
      .sort((a, b) => b.value.length - a.value.length);
    this.#needles = list.length > 0 ? buildNeedles(list) : undefined;
  }
}

function harEntryOf(
  exchange: LabExchange,
  replacements: readonly { value: string; to: string }[],
  needles: NeedleSet | undefined,
): HarEntry {
  const withheld: string[] = [];
  const clean = (text: string, where: string): string => {
    let out = text;
    for (const { value, to } of replacements) {
      if (out.includes(value)) out = out.split(value).join(to);
      const encoded = encodeURIComponent(value);
      if (encoded !== value && out.includes(encoded)) out = out.split(encoded).join(to);
    }
    // An answer cut short (the `fault` scenario) can end inside a credential: its first part
    // is replaced too.
    for (const { value, to } of replacements) {
      const at = out.lastIndexOf(value.slice(0, 8));
      if (at >= 0 && value.startsWith(out.slice(at))) {
        out = `${out.slice(0, at)}${to}-cut-short`;
        break;
      }
    }
    if (needles && searchBuffer(Buffer.from(out, 'utf8'), needles).length > 0) {
      withheld.push(where);
      return `[withheld by devicebound: ${where} held a credential of this run in an encoding that cannot be replaced]`;
    }
    return out;
  };

  const url = clean(exchange.url, 'the URL');
  const requestHeaders = headerList(exchange.requestHeaders).map(({ name, value }) => ({
    name,
    value: clean(value, `request header ${name}`),
  }));
  const responseHeaders = headerList(exchange.responseHeaders).map(({ name, value }) => ({
    name,
    value: clean(value, `response header ${name}`),
  }));
  const requestText = exchange.requestBody?.length
    ? clean(exchange.requestBody.toString('utf8'), 'the request body')
    : undefined;
  const responseText = exchange.responseBody?.length
    ? clean(exchange.responseBody.toString('utf8'), 'the response body')
    : undefined;
  const requestType = headerOf(requestHeaders, 'content-type') ?? 'application/octet-stream';
  const responseType = headerOf(responseHeaders, 'content-type') ?? '';
  let queryString: HarNameValue[] = [];
  try {
    queryString = [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    // a malformed target: no query to list
  }
  const comments = [
    ...(exchange.comment ? [exchange.comment] : []),
    ...(withheld.length > 0 ? [`withheld: ${withheld.join(', ')}`] : []),
  ];
  return {
    startedDateTime: new Date(exchange.startedAt).toISOString(),
    time: exchange.durationMs,
    request: {
      method: exchange.method,
      url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: requestHeaders,
      queryString,
      ...(requestText !== undefined && { postData: { mimeType: requestType, text: requestText } }),
      headersSize: -1,
      bodySize: exchange.requestBody?.length ?? 0,
    },
    response: {
      status: exchange.status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: responseHeaders,
      content: {
        size: exchange.responseBody?.length ?? 0,
        mimeType: responseType,
        ...(responseText !== undefined && { text: responseText }),
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: exchange.responseBody?.length ?? 0,
    },
    cache: {},
    timings: { send: 0, wait: exchange.durationMs, receive: 0 },
    ...(comments.length > 0 && { comment: comments.join('; ') }),
  };
}

function headerList(
  headers: Record<string, string | number | string[] | undefined>,
): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      out.push({ name, value: String(item) });
    }
  }
  return out;
}

function headerOf(headers: HarNameValue[], name: string): string | undefined {
  return headers.find((header) => header.name.toLowerCase() === name)?.value;
}
