import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { TLSSocket } from 'node:tls';
import { decodeContent } from '../content-coding.ts';
import { HarnessError } from '../errors.ts';
import { Secret } from '../evidence/secret.ts';
import { CanaryRegistry, normalizeUserCode } from './canaries.ts';
import type { EventDetails, Exchange, LabContext, Reply, Route } from './context.ts';
import { genericRoutes } from './dialects/generic.ts';
import { dialectFor } from './dialects/index.ts';
import { InjectedResourceError } from './endpoints/resource.ts';
import { createVerification } from './endpoints/verification.ts';
import { HarRecorder, type LabExchange } from './har.ts';
import { splitHostPort } from './hosts.ts';
import { answerMalformed, bodiesRead, E, OAuthError, sendJson, sendOAuthError } from './http.ts';
import { inspectIntercepted } from './intercept.ts';
import { LabKeys } from './keys.ts';
import { type EgressProxy, type InterceptedRequest, startEgressProxy } from './proxy.ts';
import type { LabSettings } from './settings.ts';
import { type DeviceAuthorization, LabStore } from './store.ts';
import { Trace } from './trace.ts';

/** How long an expired device authorization is remembered (answers `expired_token`). */
const EXPIRED_MEMORY_MS = 10 * 60_000;

export interface RunningLab {
  context: LabContext;
  server: Server;
  /** The egress proxy's URL, when the lab runs one. */
  proxy: string | undefined;
  close(): Promise<void>;
}

/** How requests find their route: the generic table for the lab's own issuer, the dialect's
 * for played hosts. */
interface Router {
  generic: Map<string, Route>;
  played: ReadonlySet<string>;
  dialect: (host: string, path: string) => Route | undefined;
}

/** Starts the HTTP server of one lab. `startLab()` in `index.ts` is the public face. */
export async function listen(settings: LabSettings): Promise<RunningLab> {
  const trace = new Trace({ file: settings.traceFile, keep: settings.keepEvents });
  const keys = await LabKeys.generate();
  const store = new LabStore();
  const canaries = new CanaryRegistry();
  const verification = createVerification();
  const dialect = dialectFor(settings.dialect);
  const router: Router = {
    generic: genericRoutes(verification),
    played: new Set(settings.hosts),
    dialect: dialect.routes({ verification }),
  };

  const context: LabContext = {
    settings,
    issuer: '',
    resource: '',
    store,
    canaries,
    trace,
    keys,
    har: settings.onExchange ? new HarRecorder(canaries) : undefined,
    issue(kind, value, deviceCode) {
      const secret = new Secret(value);
      canaries.add({
        kind,
        secret,
        issuedAt: trace.now(),
        deviceCode: deviceCode ?? (kind === 'device_code' ? secret.fingerprint : undefined),
      });
      return secret;
    },
    decide(authorization, decision, by) {
      if (authorization.status !== 'pending') return;
      authorization.status = decision;
      trace.record({
        type: 'decision',
        decision,
        by,
        deviceCode: authorization.deviceCode.fingerprint,
      });
    },
  };

  const sockets = new Set<Socket>();
  const server = createServer(
    {
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      // Clients keep their connection between polls (gh over its proxy tunnel, Go's default
      // transport): closing it after Node's default 5 s idle races a poll sent after a 6 s
      // interval and gets it reset. Providers keep connections far longer than any interval.
      keepAliveTimeout: 120_000,
    },
    (request, response) => {
      handle(context, router, request, response).catch((error: unknown) => {
        // handle() answers every error itself; this only guards against a bug in that path.
        process.emitWarning(`devicebound lab: ${(error as Error).message}`);
        if (!response.headersSent)
          sendJson(response, 500, { error: 'server_error', error_description: 'internal error' });
      });
    },
  );
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', answerMalformed);

  // With `tls`, a TLS listener terminates connections with a leaf from the run CA and hands
  // them to the same HTTP server, as the egress proxy does with its tunnels.
  let tlsServer: NetServer | undefined;
  if (settings.tls && settings.ca) {
    const ca = settings.ca;
    // Clients that connect to an IP address send no server name: they get this one.
    const fallback = await ca.secureContext(settings.host);
    tlsServer = createNetServer((raw) => {
      raw.on('error', () => {});
      sockets.add(raw);
      raw.on('close', () => sockets.delete(raw));
      const socket = new TLSSocket(raw, {
        isServer: true,
        secureContext: fallback,
        SNICallback: ca.sniCallback(settings.host),
        ALPNProtocols: ['http/1.1'],
      });
      socket.on('error', () => socket.destroy());
      socket.once('secure', () => server.emit('connection', socket));
    });
  }
  const listener: Server | NetServer = tlsServer ?? server;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new HarnessError(
          'lab_listen',
          `the lab could not listen on ${settings.host}:${settings.port}: ${error.code ?? error.message}`,
          error,
        ),
      ),
    );
    listener.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = listener.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  context.issuer = `${tlsServer ? 'https' : 'http'}://${host}:${port}`;
  context.resource = context.issuer;

  let proxy: EgressProxy | undefined;
  if (settings.proxy) {
    try {
      proxy = await startEgressProxy({
        hosts: settings.hosts,
        ca: settings.ca,
        lab: server,
        self: { host: settings.host, port, tls: Boolean(tlsServer) },
        handle: (request, response) => {
          handle(context, router, request, response).catch(() => {
            if (!response.headersSent) response.destroy();
          });
        },
        record: (event) =>
          trace.record({
            type: 'egress',
            ...event,
            ...(event.path !== undefined && { path: canaries.redact(event.path) }),
          }),
        mode: settings.egress,
        intercepted: (request) => {
          trace.record({
            type: 'egress',
            ...inspectIntercepted(request, canaries.list(), (text) => canaries.redact(text)),
          });
          if (context.har) settings.onExchange?.(context.har.entry(interceptedExchange(request)));
        },
      });
    } catch (error) {
      listener.close();
      throw error;
    }
  }

  trace.record({
    type: 'lab-start',
    startedAt: new Date().toISOString(),
    issuer: context.issuer,
    ...(settings.dialect !== 'generic' && { dialect: settings.dialect }),
    ...(settings.hosts.length > 0 && { hosts: settings.hosts }),
    ...(proxy && { proxy: proxy.url }),
    scenario: settings.scenario,
    clientId: settings.clientId,
    interval: settings.interval,
    expiresIn: settings.expiresIn,
    tokenTtl: settings.tokenTtl,
  });

  const sweeper = setInterval(() => store.sweep(trace.now(), EXPIRED_MEMORY_MS), 30_000);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  return {
    context,
    server,
    proxy: proxy?.url,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        const proxyClosed = proxy?.close();
        const tlsClosed = tlsServer
          ? new Promise<void>((resolve) => tlsServer.close(() => resolve()))
          : undefined;
        const closed = tlsServer
          ? undefined
          : new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const socket of sockets) socket.destroy();
        await Promise.all([closed, tlsClosed, proxyClosed]);
        await trace.close();
      })();
      return closing;
    },
  };
}

async function handle(
  context: LabContext,
  router: Router,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const t = context.trace.now();
  const startedAt = Date.now();
  const answered = context.har ? tapResponse(response) : undefined;
  const url = parseUrl(request.url);
  // A played host is named by an absolute-form target (through the proxy) or the Host header.
  const asked = url?.host ?? splitHostPort(request.headers.host ?? '', 80)?.host;
  const played = asked !== undefined && router.played.has(asked) ? asked : undefined;
  const route = url
    ? played
      ? router.dialect(played, url.url.pathname)
      : router.generic.get(url.url.pathname)
    : undefined;
  const method = request.method ?? 'GET';
  const exchange: Exchange = {
    request,
    url: url?.url ?? new URL('http://lab/'),
    event: { presented: [], issued: [] },
  };

  let reply: Reply;
  try {
    if (!url) throw E.invalidRequest('malformed request target');
    if (!route) throw E.notFound();
    // HEAD is GET without a body (RFC 9110 §9.3.2); Node drops the body itself.
    const handler = route.methods[(method === 'HEAD' ? 'GET' : method) as 'GET' | 'POST'];
    if (!handler) {
      const allowed = Object.keys(route.methods);
      throw E.methodNotAllowed((route.methods.GET ? [...allowed, 'HEAD'] : allowed).join(', '));
    }
    reply = await handler(context, exchange);
  } catch (error) {
    if (error instanceof InjectedResourceError) {
      reply = { kind: 'fault', fault: 'resource-error' };
      return finish(context, exchange, response, reply, {
        t,
        method,
        url,
        played,
        route,
        startedAt,
        answered,
      });
    }
    const oauth =
      error instanceof OAuthError
        ? error
        : new OAuthError('server_error', 'the lab failed to handle this request', 500);
    if (!(error instanceof OAuthError))
      process.emitWarning(`devicebound lab: ${(error as Error).stack}`);
    reply = { kind: 'error', error: oauth };
  }
  finish(context, exchange, response, reply, {
    t,
    method,
    url,
    played,
    route,
    startedAt,
    answered,
  });
}

/** Writes the reply and records the request. */
function finish(
  context: LabContext,
  exchange: Exchange,
  response: ServerResponse,
  reply: Reply,
  request: {
    t: number;
    method: string;
    url: { url: URL } | null;
    played: string | undefined;
    route: Route | undefined;
    startedAt: number;
    answered: (() => Buffer) | undefined;
  },
): void {
  const { t, method, url, played, route } = request;
  const outcome = exchange.truncate ? writeTruncated(response, reply) : write(response, reply);
  if (context.har && request.answered) {
    // The exchange as the program saw it, for `check --save-har`: where it asked (the played
    // host, or the lab's own address), what it sent, what it got.
    const secure = (exchange.request.socket as TLSSocket | null)?.encrypted === true;
    const origin = played
      ? `${secure ? 'https' : 'http'}://${played}`
      : context.issuer.replace(/\/$/, '');
    const target = url ? `${url.url.pathname}${url.url.search}` : '/';
    context.settings.onExchange?.(
      context.har.entry({
        startedAt: request.startedAt,
        durationMs: Math.round((context.trace.now() - t) * 10) / 10,
        method,
        url: `${origin}${target}`,
        requestHeaders: exchange.request.headers,
        requestBody: bodiesRead.get(exchange.request),
        status: outcome.status,
        responseHeaders: outcome.status === 0 ? {} : response.getHeaders(),
        responseBody: outcome.status === 0 ? undefined : request.answered(),
      }),
    );
  }
  const { presented, issued, endpoint, ...details } = exchange.event;
  const dialect = played ? context.settings.dialect : 'generic';
  context.trace.record({
    type: 'request',
    t,
    durationMs: Math.round((context.trace.now() - t) * 10) / 10,
    method,
    path: url?.url.pathname ?? '(malformed)',
    ...(played && { host: played }),
    ...(dialect !== 'generic' && { dialect }),
    endpoint: endpoint ?? route?.endpoint ?? 'unknown',
    ...(details as Partial<EventDetails>),
    status: outcome.status,
    outcome: outcome.outcome,
    presented,
    issued,
  });
}

/** A resource's error page, as a web server in front of a failing backend writes it. */
const RESOURCE_ERROR_PAGE =
  '<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n' +
  '<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was ' +
  'unable to complete your request.</p><hr><address>devicebound lab</address></body></html>\n';

/**
 * The `truncated-token` fault: the token answer, as the dialect wrote it (JSON or a form), cut
 * off a little past the end of its access token, in the middle of the next field, with a
 * Content-Length for what is sent: a complete HTTP response whose body does not parse, holding
 * the whole access token, as a proxy that cut the upstream answer short would deliver it.
 */
function writeTruncated(
  response: ServerResponse,
  reply: Reply,
): { status: number; outcome: string } {
  if (reply.kind !== 'json' && reply.kind !== 'text') return write(response, reply);
  const text = reply.kind === 'json' ? JSON.stringify(reply.body) : reply.body;
  const contentType = reply.kind === 'json' ? 'application/json; charset=utf-8' : reply.contentType;
  const cut = text.slice(0, truncationPoint(text));
  response.writeHead(reply.status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(cut),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...reply.headers,
  });
  response.end(cut);
  return { status: reply.status, outcome: 'truncated_response' };
}

/**
 * Where to cut a token answer: halfway through what follows the access token's value (halfway
 * through the text when it has none).
 */
export function truncationPoint(text: string): number {
  // `access_token` (RFC 6749), `accessToken` (AWS SSO OIDC).
  const token = /"access_?[Tt]oken"\s*:\s*"[^"]*"|access_token=[^&]*/.exec(text);
  if (!token) return Math.floor(text.length / 2);
  const end = token.index + token[0].length;
  return Math.min(text.length - 1, end + Math.max(1, Math.floor((text.length - end) / 2)));
}

function write(response: ServerResponse, reply: Reply): { status: number; outcome: string } {
  switch (reply.kind) {
    case 'fault':
      if (reply.fault === 'resource-error') {
        response.writeHead(500, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': Buffer.byteLength(RESOURCE_ERROR_PAGE),
        });
        response.end(RESOURCE_ERROR_PAGE);
        return { status: 500, outcome: 'resource_error_injected' };
      }
      if (reply.fault === 'drop') {
        response.socket?.destroy();
        return { status: 0, outcome: 'connection_dropped' };
      }
      // A bare 503 like a proxy gives: no OAuth error body, so the client cannot mistake it
      // for an answer about the authorization.
      response.writeHead(503, { 'content-type': 'text/html', connection: 'close' });
      response.end('<html><body><h1>503 Service Unavailable</h1></body></html>\n');
      return { status: 503, outcome: 'server_error_injected' };
    case 'html':
      response.writeHead(reply.status, {
        'content-type': 'text/html; charset=utf-8',
        ...reply.headers,
      });
      response.end(reply.body);
      return { status: reply.status, outcome: reply.outcome };
    case 'error':
      sendOAuthError(response, reply.error);
      return { status: reply.error.status, outcome: reply.error.error };
    case 'json':
      sendJson(response, reply.status, reply.body, reply.headers);
      return {
        status: reply.status,
        outcome: reply.outcome ?? (reply.status < 400 ? 'success' : 'error'),
      };
    case 'text':
      response.writeHead(reply.status, {
        'content-type': reply.contentType,
        'content-length': Buffer.byteLength(reply.body),
        'cache-control': 'no-store',
        ...reply.headers,
      });
      response.end(reply.body);
      return { status: reply.status, outcome: reply.outcome };
  }
}

/**
 * The request target: origin-form (`/token`), or absolute-form (`http://github.com/…`) as the
 * egress proxy passes on, whose host then names the played host.
 */
function parseUrl(target: string | undefined): { url: URL; host?: string } | null {
  if (!target) return null;
  try {
    if (target.startsWith('/')) {
      // Prefixing keeps `//host/path` a path rather than a host name.
      return { url: new URL(`http://lab${target}`) };
    }
    if (!/^http:\/\//i.test(target)) return null;
    const url = new URL(target);
    return { url, host: url.hostname.toLowerCase() };
  } catch {
    return null;
  }
}

/** Looks a device authorization up by the code a person would type. */
export function findByUserCode(
  context: LabContext,
  userCode: string,
): DeviceAuthorization | undefined {
  const key = normalizeUserCode(userCode);
  return key ? context.store.byUserCode.get(key) : undefined;
}

/** Keeps a copy of what is written to `response`, for the HAR entry. */
function tapResponse(response: ServerResponse): () => Buffer {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown) => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') keep(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
  return () => Buffer.concat(chunks);
}

/** An intercepted request (never forwarded; answered 503 by the proxy) as a lab exchange. */
function interceptedExchange(request: InterceptedRequest): LabExchange {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(request.target);
  const host = request.host.includes(':') ? `[${request.host}]` : request.host;
  const defaultPort = request.scheme === 'https' ? 443 : 80;
  const origin = `${request.scheme}://${host}${request.port === defaultPort ? '' : `:${request.port}`}`;
  const encoding = request.headers['content-encoding'];
  const decoded = decodeContent(
    request.body,
    Array.isArray(encoding) ? encoding.join(',') : encoding,
  );
  const headers = { ...request.headers };
  if (!decoded.problem) delete headers['content-encoding'];
  return {
    startedAt: Date.now(),
    durationMs: 0,
    method: request.method,
    url: absolute ? request.target : `${origin}${request.target}`,
    requestHeaders: headers,
    requestBody: decoded.body,
    status: 503,
    responseHeaders: { 'content-type': 'text/plain; charset=utf-8' },
    responseBody: undefined,
    comment: `intercepted by devicebound's egress proxy: never forwarded, answered 503${request.truncated ? '; body kept to its first 8 MiB' : ''}${decoded.problem ? `; body not decoded (${decoded.problem})` : ''}`,
  };
}
