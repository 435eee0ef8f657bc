// Builds HAR 1.2 files for the analyze tests, entry by entry, shaped as Chromium's devtools
// export writes them (log.version, creator, pages, entries with request, response, cache,
// timings), with device flows of each dialect and unrelated traffic around them.
import { randomBytes } from 'node:crypto';

export interface Entry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    headers: { name: string; value: string }[];
    queryString: { name: string; value: string }[];
    cookies: never[];
    headersSize: number;
    bodySize: number;
    postData?: { mimeType: string; text: string };
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: { name: string; value: string }[];
    cookies: never[];
    content: { size: number; mimeType: string; text?: string; encoding?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
}

export const T0 = Date.parse('2026-11-30T09:00:00.000Z');

/** A random credential-looking value (base64url), so each test run has its own. */
export function token(prefix = ''): string {
  return `${prefix}${randomBytes(30).toString('base64url')}`;
}

export function entry(
  atMs: number,
  method: string,
  url: string,
  options: {
    headers?: Record<string, string>;
    form?: Record<string, string>;
    json?: unknown;
    status?: number;
    answer?: unknown;
    answerForm?: Record<string, string>;
    answerText?: string;
    answerMime?: string;
    base64?: boolean;
  } = {},
): Entry {
  const requestBody = options.form
    ? new URLSearchParams(options.form).toString()
    : options.json !== undefined
      ? JSON.stringify(options.json)
      : undefined;
  const answer =
    options.answer !== undefined
      ? JSON.stringify(options.answer)
      : options.answerForm
        ? new URLSearchParams(options.answerForm).toString()
        : (options.answerText ?? '');
  const mime =
    options.answerMime ??
    (options.answer !== undefined
      ? 'application/json'
      : options.answerForm
        ? 'application/x-www-form-urlencoded'
        : 'text/html');
  const parsed = new URL(url);
  return {
    startedDateTime: new Date(T0 + atMs).toISOString(),
    time: 42,
    request: {
      method,
      url,
      httpVersion: 'HTTP/1.1',
      headers: Object.entries({ host: parsed.host, ...options.headers }).map(([name, value]) => ({
        name,
        value,
      })),
      queryString: [...parsed.searchParams].map(([name, value]) => ({ name, value })),
      cookies: [],
      headersSize: -1,
      bodySize: requestBody ? requestBody.length : 0,
      ...(requestBody !== undefined && {
        postData: {
          mimeType: options.form ? 'application/x-www-form-urlencoded' : 'application/json',
          text: requestBody,
        },
      }),
    },
    response: {
      status: options.status ?? 200,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      headers: [{ name: 'content-type', value: mime }],
      cookies: [],
      content: {
        size: answer.length,
        mimeType: mime,
        ...(options.base64
          ? { text: Buffer.from(answer).toString('base64'), encoding: 'base64' }
          : { text: answer }),
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: answer.length,
    },
    cache: {},
    timings: { send: 1, wait: 40, receive: 1 },
  };
}

/** Unrelated traffic: a page, a script, an image (base64), a JSON API. */
export function noise(atMs: number, n: number): Entry[] {
  return [
    entry(atMs, 'GET', `https://www.example.com/page/${n}`, {
      answerText: `<html><body>${'lorem ipsum '.repeat(50)}</body></html>`,
    }),
    entry(atMs + 5, 'GET', `https://cdn.example.com/app.${n}.js`, {
      answerText: `function f${n}(){return ${n}}`,
      answerMime: 'application/javascript',
    }),
    entry(atMs + 9, 'GET', `https://cdn.example.com/logo-${n}.png`, {
      answerText: randomBytes(256).toString('latin1'),
      answerMime: 'image/png',
      base64: true,
    }),
    entry(atMs + 12, 'GET', `https://api.example.com/v1/items?page=${n}`, {
      answer: { items: [1, 2, 3], next: n + 1 },
    }),
  ];
}

export function har(entries: Entry[]): string {
  return JSON.stringify(
    {
      log: {
        version: '1.2',
        creator: { name: 'WebInspector', version: '537.36' },
        pages: [],
        entries,
      },
    },
    null,
    2,
  );
}
