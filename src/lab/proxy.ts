// The egress proxy of one lab (DESIGN.md v2): the program's HTTP_PROXY and HTTPS_PROXY. Hosts
// the task plays are answered by the lab itself: a CONNECT to `github.com:443` is terminated
// here with a leaf from the run CA and handed to the lab's HTTP server; an absolute-form
// `GET http://github.com/…` goes to the lab's handler. Every other destination is refused and
// recorded. With `mode: 'intercept'` (the default of `check`), a request to any other
// destination is read first (TLS terminated with a leaf from the run CA, which then carries no
// name constraints), handed to the lab to search for canaries, recorded, and answered 503 as an
// offline service would be. Nothing is ever forwarded, and no outbound connection is ever
// opened: this module imports no client (`node:net` is used for servers only).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { HarnessError } from '../errors.ts';
import type { EgressEvent } from '../evidence/events.ts';
import type { RunCa } from '../tls/ca.ts';
import { splitHostPort } from './hosts.ts';
import { answerMalformed } from './http.ts';

export interface EgressProxyOptions {
  /** Host names answered by the lab (lower case). */
  hosts: readonly string[];
  ca: RunCa | undefined;
  /** The lab's HTTP server: tunnels to played hosts are emitted into it as connections. */
  lab: Server;
  /** The lab's request handler, for absolute-form requests to played hosts. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /**
   * The lab's own address (`127.0.0.1:PORT`) and whether it speaks TLS: programs that send
   * everything through the proxy (Python requests, curl, Node with NODE_USE_ENV_PROXY) reach
   * the lab's issuer through it too, with an empty NO_PROXY.
   */
  self: { host: string; port: number; tls: boolean };
  /** Records a destination tried that no request of could be read (refused, or a dead tunnel). */
  record(event: Omit<EgressEvent, 'type' | 'seq' | 't'>): void;
  /** `refuse` (default): other destinations are refused unread; `intercept`: read, then 503. */
  mode?: 'intercept' | 'refuse';
  /** Searches and records an intercepted request (intercept mode). */
  intercepted?(request: InterceptedRequest): void;
}

/** A request to a destination the task does not play, read in full and never forwarded. */
export interface InterceptedRequest {
  method: string;
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** The request target as sent: path and query (absolute form for plain http). */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent, up to `MAX_INTERCEPTED_BODY` bytes. */
  body: Buffer;
  /** The body was longer than what was kept. */
  truncated: boolean;
  /** The client left (or timed out) before the body ended: what was read is all there is. */
  unfinished?: boolean;
}

/** The most of one intercepted body kept for the search. */
export const MAX_INTERCEPTED_BODY = 8 * 1024 * 1024;

export interface EgressProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

const REFUSED = 'devicebound egress proxy: destination refused (nothing is forwarded)\n';
const OFFLINE =
  'devicebound egress proxy: this destination is offline in the lab (the request was recorded, never forwarded)\n';

/** Ports a played host is answered on: https through CONNECT, http in absolute form. */
const TLS_PORT = 443;
const PLAIN_PORT = 80;

/** The most a tunnel may send before TLS says who it wants (a stuck client must not pin memory). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const played = new Set(options.hosts);
  const selfContext =
    options.self.tls && options.ca ? await options.ca.secureContext(options.self.host) : undefined;
  const sockets = new Set<Socket>();
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 });
  const intercepting = options.mode === 'intercept' && options.intercepted !== undefined;
  // Where each intercepted tunnel was headed, for the sink that reads its requests.
  const destinations = new WeakMap<
    object,
    { host: string; port: number; scheme: 'http' | 'https'; tunnel: Socket }
  >();
  const tunnels = new WeakMap<Socket, { requests: number; scheme: 'http' | 'https' | 'unknown' }>();
  const sink = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000 },
    (request, response) => {
      const destination = destinations.get(request.socket);
      if (!destination) {
        response.destroy();
        return;
      }
      const tunnel = tunnels.get(destination.tunnel);
      if (tunnel) tunnel.requests += 1;
      const { host, port, scheme } = destination;
      intercept(request, response, { host, port, scheme, target: request.url ?? '/' });
    },
  );
  sink.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  sink.on('clientError', answerMalformed);

  /** Reads the whole request, hands it to the lab, answers 503: an offline service. */
  const intercept = (
    request: IncomingMessage,
    response: ServerResponse,
    where: { host: string; port: number; scheme: 'http' | 'https'; target: string },
  ) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_INTERCEPTED_BODY) truncated = true;
      else chunks.push(chunk);
    });
    // Handed on once: when the body has ended, or when the client leaves (or times out) before
    // it does, so a URL or header read before the body broke off is still searched and recorded.
    let handed = false;
    const hand = (unfinished: boolean) => {
      if (handed) return;
      handed = true;
      options.intercepted?.({
        method: request.method ?? 'GET',
        ...where,
        headers: request.headers,
        body: Buffer.concat(chunks),
        truncated,
        ...(unfinished && { unfinished: true }),
      });
    };
    request.on('error', () => response.destroy());
    request.on('close', () => hand(!request.complete));
    request.on('end', () => {
      hand(false);
      const body = OFFLINE;
      response.writeHead(503, {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      response.end(body);
    });
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  server.on('request', (request, response) => {
    const target = absoluteTarget(request.url);
    if (!target) {
      // An origin-form request: someone used the proxy as a server.
      refuseHttp(response, 400, 'devicebound egress proxy: expected an absolute-form request');
      return;
    }
    const isSelf =
      target.protocol === 'http:' &&
      !options.self.tls &&
      target.host === options.self.host &&
      target.port === options.self.port;
    if (
      isSelf ||
      (target.protocol === 'http:' && played.has(target.host) && target.port === PLAIN_PORT)
    ) {
      options.handle(request, response);
      return;
    }
    if (intercepting && target.protocol === 'http:' && !played.has(target.host)) {
      intercept(request, response, {
        host: target.host,
        port: target.port,
        scheme: 'http',
        target: request.url ?? '/',
      });
      return;
    }
    options.record({
      method: request.method ?? 'GET',
      scheme:
        target.protocol === 'https:' ? 'https' : target.protocol === 'http:' ? 'http' : 'unknown',
      host: target.host,
      port: target.port,
      path: target.path,
      action: 'refused',
      reason: played.has(target.host)
        ? `the played host is answered on port ${PLAIN_PORT} (http) and ${TLS_PORT} (https) only`
        : 'not a host this task plays',
    });
    request.resume();
    refuseHttp(response, 403, REFUSED);
  });

  server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    const authority = splitHostPort(request.url ?? '', TLS_PORT);
    const host = authority?.host ?? '';
    const port = authority?.port ?? 0;
    const self = host === options.self.host && port === options.self.port;
    // What the tunnel carries: TLS to terminate here, or plain HTTP (undici tunnels even
    // http:// requests through CONNECT).
    const carries: 'tls' | 'plain' | undefined = self
      ? options.self.tls
        ? 'tls'
        : 'plain'
      : played.has(host)
        ? port === TLS_PORT
          ? 'tls'
          : port === PLAIN_PORT
            ? 'plain'
            : undefined
        : undefined;
    const ca = options.ca;
    if (authority && !carries && !played.has(host) && intercepting && ca) {
      interceptTunnel(socket, head, authority.host, authority.port, ca);
      return;
    }
    if (!authority || !carries || (carries === 'tls' && !ca)) {
      options.record({
        method: 'CONNECT',
        scheme: port === PLAIN_PORT ? 'http' : port === TLS_PORT ? 'https' : 'unknown',
        host: authority ? host : `(malformed) ${safe(request.url ?? '')}`,
        port,
        action: 'refused',
        reason: !authority
          ? 'malformed CONNECT target'
          : !played.has(host)
            ? 'not a host this task plays'
            : `the played host is answered on port ${PLAIN_PORT} (http) and ${TLS_PORT} (https) only`,
      });
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${REFUSED.length}\r\n\r\n${REFUSED}`,
      );
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    if (carries === 'plain' || !ca) {
      options.lab.emit('connection', socket);
      return;
    }
    const tlsSocket = new TLSSocket(socket, {
      isServer: true,
      // A client tunnelling to an IP address sends no server name: it gets the self leaf.
      ...(selfContext && { secureContext: selfContext }),
      SNICallback: ca.sniCallback(host),
      ALPNProtocols: ['http/1.1'],
    });
    tlsSocket.on('error', () => tlsSocket.destroy());
    // A client that opens a tunnel and never finishes the handshake is dropped: at the timeout,
    // or at once when it ends its side (the TLS socket inherits the server's allowHalfOpen).
    const timer = setTimeout(() => tlsSocket.destroy(), HANDSHAKE_TIMEOUT_MS);
    let secured = false;
    tlsSocket.once('end', () => {
      if (!secured) tlsSocket.destroy();
    });
    tlsSocket.once('secure', () => {
      secured = true;
      clearTimeout(timer);
      options.lab.emit('connection', tlsSocket);
    });
    tlsSocket.once('close', () => clearTimeout(timer));
  });

  server.on('clientError', answerMalformed);

  /**
   * A tunnel to a destination the task does not play, in intercept mode: what it carries is read
   * by the sink, TLS (first byte 0x16, a handshake record) terminated with a leaf for the host
   * it asked for, anything else read as plain HTTP.
   */
  const interceptTunnel = (socket: Socket, head: Buffer, host: string, port: number, ca: RunCa) => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // A tunnel that never carried a readable request (a failed handshake, an h2-only client, a
    // client that went away) is still a destination the program tried: recorded when it closes.
    const tunnel = { requests: 0, scheme: 'unknown' as 'http' | 'https' | 'unknown' };
    tunnels.set(socket, tunnel);
    // A client that stops sending mid-handshake and closes its side ends the tunnel.
    socket.once('end', () => {
      if (tunnel.requests === 0) socket.destroy();
    });
    socket.once('close', () => {
      if (tunnel.requests > 0) return;
      options.record({
        method: 'CONNECT',
        scheme: tunnel.scheme,
        host,
        port,
        action: 'intercepted',
        reason:
          'the tunnel closed before a request could be read (TLS handshake failed or the client left)',
        carried: [],
      });
    });
    const start = (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first[0] !== 0x16) {
        tunnel.scheme = 'http';
        destinations.set(socket, { host, port, scheme: 'http', tunnel: socket });
        sink.emit('connection', socket);
        socket.resume();
        return;
      }
      tunnel.scheme = 'https';
      ca.secureContext(host, { allowOutside: true }).then(
        (context) => {
          const tlsSocket = new TLSSocket(socket, {
            isServer: true,
            secureContext: context,
            ALPNProtocols: ['http/1.1'],
          });
          tlsSocket.on('error', () => tlsSocket.destroy());
          // The TLS socket inherits the server's allowHalfOpen: a client that ends its side
          // mid-handshake would otherwise hold the tunnel until the handshake timeout.
          tlsSocket.once('end', () => {
            if (!destinations.has(tlsSocket)) tlsSocket.destroy();
          });
          const timer = setTimeout(() => tlsSocket.destroy(), HANDSHAKE_TIMEOUT_MS);
          tlsSocket.once('secure', () => {
            clearTimeout(timer);
            destinations.set(tlsSocket, { host, port, scheme: 'https', tunnel: socket });
            sink.emit('connection', tlsSocket);
          });
          tlsSocket.once('close', () => clearTimeout(timer));
          socket.resume();
        },
        () => socket.destroy(),
      );
    };
    if (head.length > 0) start(head);
    else {
      const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
      socket.once('data', (first: Buffer) => {
        clearTimeout(timer);
        start(first);
      });
      socket.once('close', () => clearTimeout(timer));
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new HarnessError(
          'proxy_listen',
          `the egress proxy could not listen: ${error.code ?? error.message}`,
          error,
        ),
      ),
    );
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise<void>((resolve) => sink.close(() => resolve())),
        (async () => {
          server.closeAllConnections();
          sink.closeAllConnections();
          for (const socket of sockets) socket.destroy();
        })(),
      ]).then(() => {});
      return closing;
    },
  };
}

/** The destination of an absolute-form request target (RFC 9112 §3.2.2), query removed. */
function absoluteTarget(
  target: string | undefined,
): { protocol: string; host: string; port: number; path: string } | undefined {
  if (!target || target.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (!url.hostname) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? TLS_PORT : PLAIN_PORT;
  return { protocol: url.protocol, host, port, path: url.pathname };
}

function refuseHttp(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  response.end(message.endsWith('\n') ? message : `${message}\n`);
}

/** Printable and short, for a malformed target in the record. */
function safe(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
