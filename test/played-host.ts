// One request to a lab as a played host would get it: to the lab's own port, the host in the
// Host header, as the egress proxy hands requests over. For the dialect tests and the captures
// made from them.
import { request } from 'node:http';
import type { Lab } from '../src/lab/index.ts';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/** One request to the lab as `host` would get it. */
export function callPlayedHost(
  started: Pick<Lab, 'issuer'>,
  host: string,
  method: string,
  path: string,
  options: {
    form?: Record<string, string>;
    json?: unknown;
    headers?: Record<string, string>;
    /** A body sent as is (with the caller's own headers). */
    body?: string;
  } = {},
): Promise<Answer> {
  const url = new URL(started.issuer);
  const body = options.form
    ? new URLSearchParams(options.form).toString()
    : options.json !== undefined
      ? JSON.stringify(options.json)
      : options.body;
  const headers: Record<string, string> = { host, ...options.headers };
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: () => JSON.parse(text) as Record<string, unknown>,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
