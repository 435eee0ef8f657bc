/**
 * `devicebound record`'s evidence source: a recording reverse proxy on loopback in front of a
 * real authorization server. Requests are forwarded unchanged (TLS to the upstream verified
 * against the system trust store, or a CA file); each exchange is read by `observe` the moment
 * it completes, and only what it returns (fingerprints) is written, as one `request` event of
 * the lab's JSONL trace format. Raw bodies live only while their exchange is in flight.
 *
 * One change is made to what the upstream sends: in its metadata documents (`/.well-known/…`)
 * the upstream's URL is replaced by the recorder's, so a client that discovers its endpoints
 * comes back through the recorder for every call. `issuer` is rewritten too, since clients
 * check it against the URL they were given (RFC 8414 §3.3); an ID token still names the
 * upstream.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { decodeContent } from '../content-coding.ts';
import { UsageError } from '../errors.ts';
import type { LabEvent, LabStartEvent } from '../evidence/events.ts';
import { CAPTURE_END_MARKER, CAPTURE_SCENARIO } from '../evidence/names.ts';
import { trustFor } from '../trust.ts';
import { observe } from './observe.ts';
import { requestEventOf } from './recorded.ts';

/** A request or answer larger than this is refused (413) or cut off (502): IdP traffic is small. */
export const MAX_RECORDED_BODY_BYTES = 16 * 1024 * 1024;

/** An event before the recorder numbers it. */
type Unsequenced = LabEvent extends infer E ? (E extends LabEvent ? Omit<E, 'seq'> : never) : never;

/** How long `close` lets exchanges in flight finish. */
const CLOSE_GRACE_MS = 2000;

/** Headers that belong to one connection (RFC 9110 §7.6.1) and are not forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The upstream, checked, and what its TLS is verified against. */
export interface RecorderTarget {
  upstream: URL;
  ca: string[] | undefined;
  /** What the trust store is, for the start-up message. */
  trust: string;
}

/**
 * Checks `--upstream` and reads `--ca-file` (usage errors naming the flag or file), before
 * anything is listened on or written.
 */
export async function recorderTarget(upstream: string, caFile?: string): Promise<RecorderTarget> {
  const url = upstreamUrl(upstream);
  return { upstream: url, ...(await trustFor(url, caFile, '--ca-file')) };
}

export interface RecorderOptions {
  target: RecorderTarget;
  /** Loopback port to listen on; 0 picks a free one. */
  port?: number;
  /** Where each event goes, one JSON object per call (the caller writes the file). */
  write: (event: LabEvent) => void;
  /** Upstream timeout per exchange, ms. Default 60 s. */
  timeoutMs?: number;
}

export interface Recorder {
  /** The recorder's own base URL, `http://127.0.0.1:PORT`: what the program is told to use. */
  readonly url: string;
  readonly upstream: URL;
  /** Exchanges recorded so far. */
  readonly recorded: number;
  /** What the trust store is, for the start-up message. */
  readonly trust: string;
  close(): Promise<void>;
}

/** Starts the recorder and writes the trace's `lab-start` event. */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const { upstream, ca, trust } = options.target;
  const pending = new Set<Promise<void>>();
  const base = upstream.href.replace(/\/$/, '');
  const origin = performance.now();
  const now = () => Math.round((performance.now() - origin) * 10) / 10;
  let seq = 0;
  let index = 0;
  const emit = (event: Unsequenced) => {
    seq += 1;
    options.write({ ...event, seq } as LabEvent);
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('connect', (_request, socket) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n');
  });
  server.on('upgrade', (_request, socket) => {
    socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(`cannot listen on 127.0.0.1:${options.port ?? 0} (${error.code})`, {
          field: '--port',
        }),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const start: Omit<LabStartEvent, 'seq'> = {
    type: 'lab-start',
    t: 0,
    startedAt: new Date().toISOString(),
    issuer: base,
    hosts: [upstream.host],
    scenario: CAPTURE_SCENARIO,
    clientId: '',
    interval: 5,
    expiresIn: 600,
    tokenTtl: 0,
  };
  emit(start);

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const entry = index++;
    const startedAt = Date.now();
    const t = now();
    const done = exchange(request, response).then(
      (record) => {
        const observation = observe({ index: entry, startedAt, ...record });
        emit(requestEventOf(observation, t, Math.round((now() - t) * 10) / 10));
      },
      // The program went away mid-request: nothing was exchanged.
      () => {
        response.destroy();
      },
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
  });

  /** Forwards one request and answers it; resolves with what `observe` needs. */
  async function exchange(request: IncomingMessage, response: ServerResponse) {
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const target = new URL(
      `${upstream.pathname.replace(/\/$/, '')}${path.startsWith('/') ? path : `/${path}`}`,
      upstream.origin,
    );
    const requestHeaders = pairs(request.headers);
    const body = await readBody(request, MAX_RECORDED_BODY_BYTES);
    const record = {
      method,
      url: target.href,
      requestHeaders,
      requestBody: body?.toString('utf8'),
      status: 0,
      responseHeaders: [] as [string, string][],
      responseBody: undefined as string | undefined,
    };
    if (!body) {
      answerError(response, 413, 'the request body is larger than the recorder reads');
      return record;
    }
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    headers.host = upstream.host;
    headers['content-length'] = String(body.length);
    try {
      const answer = await forward(target, method, headers, body, ca, options.timeoutMs ?? 60_000);
      const raw = await readBody(answer, MAX_RECORDED_BODY_BYTES);
      if (!raw) throw new Error('the answer is larger than the recorder reads');
      const encoding = header(answer.headers, 'content-encoding');
      const decoded = decodeContent(raw, encoding);
      record.status = answer.statusCode ?? 0;
      record.responseHeaders = pairs(answer.headers);
      record.responseBody = decoded.body.toString('utf8');
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      }
      let sent = raw;
      if (/\/\.well-known\//.test(target.pathname) && !decoded.problem) {
        const rewritten = rewriteMetadata(record.responseBody, base, self);
        if (rewritten !== undefined) {
          sent = Buffer.from(rewritten);
          delete out['content-encoding'];
        }
      }
      out['content-length'] = String(sent.length);
      response.writeHead(record.status, out);
      response.end(sent);
    } catch (error) {
      answerError(response, 502, `upstream: ${reasonOf(error)}`);
    }
    return record;
  }

  return {
    url: self,
    upstream,
    trust,
    get recorded() {
      return index;
    },
    async close() {
      // Exchanges in flight are let finish (and recorded) for a moment; then every socket goes.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([
        Promise.allSettled([...pending]),
        new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
      ]);
      for (const socket of sockets) socket.destroy();
      await closed;
      // Where the recording ends: a poll not sent by then was not sent while recording.
      emit({ type: 'marker', t: now(), label: CAPTURE_END_MARKER });
    },
  };
}

function upstreamUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(text)}`, { field: '--upstream' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`an http(s) URL is needed, not ${url.protocol}`, { field: '--upstream' });
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UsageError('give the base URL only: no query, fragment or credentials', {
      field: '--upstream',
    });
  }
  return url;
}

function forward(
  target: URL,
  method: string,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  ca: string[] | undefined,
  timeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(target, {
      method,
      headers,
      ...(ca && { ca }),
      timeout: timeoutMs,
      agent: false,
    });
    outgoing.on('response', resolve);
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The whole body, or undefined when it is longer than `limit` (the rest is drained). */
async function readBody(stream: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  let over = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) over = true;
    if (!over) chunks.push(chunk);
  }
  return over ? undefined : Buffer.concat(chunks);
}

/** Every string of a JSON document that starts with `from`, starting with `to` instead. */
export function rewriteMetadata(text: string, from: string, to: string): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value === from || value.startsWith(`${from}/`) ? to + value.slice(from.length) : value;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    }
    return value;
  };
  return JSON.stringify(walk(document));
}

function pairs(headers: IncomingHttpHeaders): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push([name, item]);
  }
  return out;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function answerError(response: ServerResponse, status: number, description: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({ error: 'server_error', error_description: description });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
