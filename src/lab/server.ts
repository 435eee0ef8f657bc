import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HarnessError } from '../errors.ts';
import { Secret } from '../evidence/secret.ts';
import { CanaryRegistry, normalizeUserCode } from './canaries.ts';
import type { EventDetails, Exchange, Handler, LabContext, Reply } from './context.ts';
import { deviceAuthorization } from './endpoints/device-authorization.ts';
import { jwks } from './endpoints/jwks.ts';
import { metadata } from './endpoints/metadata.ts';
import { whoami } from './endpoints/resource.ts';
import { revocation } from './endpoints/revocation.ts';
import { token } from './endpoints/token.ts';
import { createVerification } from './endpoints/verification.ts';
import { E, OAuthError, sendJson, sendOAuthError } from './http.ts';
import { LabKeys } from './keys.ts';
import type { LabSettings } from './settings.ts';
import { type DeviceAuthorization, LabStore } from './store.ts';
import { type LabEndpoint, Trace } from './trace.ts';

interface Route {
  endpoint: LabEndpoint;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
}

function routes(): Map<string, Route> {
  const verification = createVerification();
  return new Map<string, Route>([
    [
      '/.well-known/oauth-authorization-server',
      { endpoint: 'metadata', methods: { GET: metadata } },
    ],
    ['/.well-known/openid-configuration', { endpoint: 'metadata', methods: { GET: metadata } }],
    [
      '/device_authorization',
      { endpoint: 'device_authorization', methods: { POST: deviceAuthorization } },
    ],
    ['/token', { endpoint: 'token', methods: { POST: token } }],
    ['/revoke', { endpoint: 'revocation', methods: { POST: revocation } }],
    ['/jwks', { endpoint: 'jwks', methods: { GET: jwks } }],
    ['/whoami', { endpoint: 'resource', methods: { GET: whoami } }],
    [
      '/device',
      { endpoint: 'verification', methods: { GET: verification.show, POST: verification.submit } },
    ],
  ]);
}

/** How long an expired device authorization is remembered (answers `expired_token`). */
const EXPIRED_MEMORY_MS = 10 * 60_000;

export interface RunningLab {
  context: LabContext;
  server: Server;
  close(): Promise<void>;
}

/** Starts the HTTP server of one lab. `startLab()` in `index.ts` is the public face. */
export async function listen(settings: LabSettings): Promise<RunningLab> {
  const trace = new Trace(settings.traceFile);
  const keys = await LabKeys.generate();
  const store = new LabStore();
  const canaries = new CanaryRegistry();
  const table = routes();

  const context: LabContext = {
    settings,
    issuer: '',
    resource: '',
    store,
    canaries,
    trace,
    keys,
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
    { requestTimeout: 30_000, headersTimeout: 10_000 },
    (request, response) => {
      handle(context, table, request, response).catch((error: unknown) => {
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
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    const body = '{"error":"invalid_request","error_description":"malformed request"}';
    socket.end(
      `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new HarnessError(
          'lab_listen',
          `the lab could not listen on ${settings.host}:${settings.port}: ${error.code ?? error.message}`,
          error,
        ),
      ),
    );
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  context.issuer = `http://${host}:${port}`;
  context.resource = context.issuer;

  trace.record({
    type: 'lab-start',
    startedAt: new Date().toISOString(),
    issuer: context.issuer,
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
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const socket of sockets) socket.destroy();
        await closed;
        await trace.close();
      })();
      return closing;
    },
  };
}

async function handle(
  context: LabContext,
  table: Map<string, Route>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const t = context.trace.now();
  const url = parseUrl(request.url);
  const route = url ? table.get(url.pathname) : undefined;
  const method = request.method ?? 'GET';
  const exchange: Exchange = {
    request,
    url: url ?? new URL('http://lab/'),
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
    const oauth =
      error instanceof OAuthError
        ? error
        : new OAuthError('server_error', 'the lab failed to handle this request', 500);
    if (!(error instanceof OAuthError))
      process.emitWarning(`devicebound lab: ${(error as Error).stack}`);
    reply = { kind: 'error', error: oauth };
  }

  const outcome = write(response, reply);
  const { presented, issued, ...details } = exchange.event;
  context.trace.record({
    type: 'request',
    t,
    durationMs: Math.round((context.trace.now() - t) * 10) / 10,
    method,
    path: url?.pathname ?? '(malformed)',
    endpoint: route?.endpoint ?? 'unknown',
    ...(details as Partial<EventDetails>),
    status: outcome.status,
    outcome: outcome.outcome,
    presented,
    issued,
  });
}

function write(response: ServerResponse, reply: Reply): { status: number; outcome: string } {
  switch (reply.kind) {
    case 'fault':
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
      return { status: reply.status, outcome: reply.status < 400 ? 'success' : 'error' };
  }
}

function parseUrl(target: string | undefined): URL | null {
  if (!target?.startsWith('/')) return null;
  try {
    // Prefixing keeps `//host/path` a path rather than a host name.
    return new URL(`http://lab${target}`);
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
