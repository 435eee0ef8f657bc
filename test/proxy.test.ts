// The egress proxy over real sockets: played hosts are answered by the lab over TLS with the
// run CA; every other destination is refused and recorded, and nothing is ever forwarded: a
// listener of our own on another loopback port must see no connection at all.
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type EgressEvent,
  type Lab,
  type LabOptions,
  type RequestEvent,
  startLab,
} from '../src/lab/index.ts';
import { createRunCa, type RunCa } from '../src/tls/ca.ts';

let ca: RunCa;
beforeAll(async () => {
  ca = await createRunCa({ hosts: ['github.com', 'api.github.com', 'login.microsoftonline.com'] });
});

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});

async function lab(options: LabOptions = {}): Promise<Lab & { proxyUrl: URL }> {
  const started = await startLab({
    interval: 1,
    proxy: true,
    ca,
    dialect: 'github',
    hosts: ['github.com', 'api.github.com'],
    ...options,
  });
  opened.push(started);
  return Object.assign(started, { proxyUrl: new URL(started.proxy ?? '') });
}

/** A listener that must never be reached: counts the connections it sees. */
async function bystander(host = '127.0.0.1'): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  server.listen(0, host);
  await once(server, 'listening');
  opened.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => count,
  };
}

/** Sends raw bytes to the proxy and returns everything it answers until it closes (or 2 s). */
async function raw(proxy: URL, bytes: string | Buffer, waitMs = 2000): Promise<string> {
  const socket = connect(Number(proxy.port), proxy.hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(bytes);
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, waitMs))]);
  socket.destroy();
  return Buffer.concat(chunks).toString('latin1');
}

/** Opens a CONNECT tunnel and returns the socket once the proxy said 200. */
async function tunnel(proxy: URL, authority: string): Promise<Socket> {
  const socket = connect(Number(proxy.port), proxy.hostname);
  await once(socket, 'connect');
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  const [first] = (await once(socket, 'data')) as [Buffer];
  expect(first.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
  return socket;
}

/** An HTTPS GET through a tunnel, trusting only the run CA. */
async function getThroughTunnel(
  proxy: URL,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; authorized: boolean }> {
  const socket = await tunnel(proxy, `${host}:443`);
  const secure = tlsConnect({ socket, servername: host, ca: [ca.certPem] });
  await once(secure, 'secureConnect');
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  secure.write(`${lines.join('\r\n')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  secure.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(secure, 'end');
  const text = Buffer.concat(chunks).toString('utf8');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]),
    body: text.slice(text.indexOf('\r\n\r\n') + 4),
    authorized: secure.authorized,
  };
}

const egress = (started: Lab) =>
  started.trace.events.filter((event): event is EgressEvent => event.type === 'egress');

describe('played hosts', () => {
  it('answers CONNECT github.com:443 as the lab, over TLS a client trusting only the run CA accepts', async () => {
    const started = await lab();
    const answer = await getThroughTunnel(started.proxyUrl, 'api.github.com', '/user');
    expect(answer.authorized).toBe(true);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'Bad credentials' });
    const request = started.trace.events.find((e): e is RequestEvent => e.type === 'request');
    expect(request).toMatchObject({
      host: 'api.github.com',
      dialect: 'github',
      endpoint: 'resource',
    });
    expect(egress(started)).toEqual([]);
  });

  it("passes the lab's own issuer through, in absolute form and through CONNECT (undici tunnels http)", async () => {
    const started = await lab();
    const issuer = new URL(started.issuer);
    const plain = await raw(
      started.proxyUrl,
      `GET ${started.issuer}/jwks HTTP/1.1\r\nHost: ${issuer.host}\r\nConnection: close\r\n\r\n`,
    );
    expect(plain).toMatch(/^HTTP\/1\.1 200 /);
    const socket = await tunnel(started.proxyUrl, issuer.host);
    socket.write(`GET /jwks HTTP/1.1\r\nHost: ${issuer.host}\r\nConnection: close\r\n\r\n`);
    const [reply] = (await once(socket, 'data')) as [Buffer];
    expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
    expect(egress(started)).toEqual([]);
  });
});

describe('nothing is forwarded', () => {
  it('refuses CONNECT to another loopback listener; the listener sees no connection', async () => {
    const started = await lab();
    const target = await bystander();
    const answer = await raw(
      started.proxyUrl,
      `CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    expect(target.connections()).toBe(0);
    expect(egress(started)).toEqual([
      expect.objectContaining({
        method: 'CONNECT',
        host: '127.0.0.1',
        port: target.port,
        action: 'refused',
        reason: 'not a host this task plays',
      }),
    ]);
  });

  it('refuses absolute-form requests to anything not played, and records the path without its query', async () => {
    const started = await lab();
    const target = await bystander();
    const answer = await raw(
      started.proxyUrl,
      `POST http://127.0.0.1:${target.port}/v2/track?key=secret HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    const viaNode = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: started.proxyUrl.hostname,
          port: started.proxyUrl.port,
          path: 'http://telemetry.example.com/collect',
          headers: { host: 'telemetry.example.com' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(viaNode).toBe(403);
    expect(target.connections()).toBe(0);
    expect(
      egress(started).map(({ method, host, port, path, scheme }) => ({
        method,
        host,
        port,
        path,
        scheme,
      })),
    ).toEqual([
      { method: 'POST', host: '127.0.0.1', port: target.port, path: '/v2/track', scheme: 'http' },
      { method: 'GET', host: 'telemetry.example.com', port: 80, path: '/collect', scheme: 'http' },
    ]);
  });

  it('refuses IPv6 literals, in CONNECT and in absolute form, without connecting', async () => {
    const started = await lab();
    let target: { port: number; connections: () => number } | undefined;
    try {
      target = await bystander('::1');
    } catch {
      target = undefined; // no IPv6 loopback here: the refusal is still checked
    }
    const port = target?.port ?? 9;
    expect(
      await raw(started.proxyUrl, `CONNECT [::1]:${port} HTTP/1.1\r\nHost: [::1]:${port}\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 403 /);
    expect(
      await raw(
        started.proxyUrl,
        `GET http://[::1]:${port}/ HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: close\r\n\r\n`,
      ),
    ).toMatch(/^HTTP\/1\.1 403 /);
    expect(target?.connections() ?? 0).toBe(0);
    expect(egress(started).map((e) => [e.method, e.host, e.port])).toEqual([
      ['CONNECT', '::1', port],
      ['GET', '::1', port],
    ]);
  });

  it('refuses a played host on an odd port, and a host that only looks like one', async () => {
    const started = await lab();
    expect(
      await raw(started.proxyUrl, 'CONNECT github.com:22 HTTP/1.1\r\nHost: github.com:22\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 403 /);
    expect(
      await raw(
        started.proxyUrl,
        'CONNECT evilgithub.com:443 HTTP/1.1\r\nHost: evilgithub.com:443\r\n\r\n',
      ),
    ).toMatch(/^HTTP\/1\.1 403 /);
    expect(egress(started).map((e) => [e.host, e.port, e.reason])).toEqual([
      ['github.com', 22, 'the played host is answered on port 80 (http) and 443 (https) only'],
      ['evilgithub.com', 443, 'not a host this task plays'],
    ]);
  });
});

describe('bad input never crashes the proxy', () => {
  it('survives garbage, huge headers, malformed CONNECT, half-open TLS and vanishing clients, and keeps serving', async () => {
    const started = await lab();
    const proxy = started.proxyUrl;
    expect(await raw(proxy, 'HELLO\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(proxy, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x00]))).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    expect(
      await raw(
        proxy,
        `GET http://x.example/ HTTP/1.1\r\nHost: x.example\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      ),
    ).toMatch(/^HTTP\/1\.1 431 /);
    expect(await raw(proxy, 'CONNECT not a target HTTP/1.1\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 (400|403) /,
    );
    expect(await raw(proxy, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 /,
    );

    // Half-open TLS: a tunnel whose client sends half a ClientHello, then nothing.
    const halfOpen = await tunnel(proxy, 'github.com:443');
    halfOpen.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    // A client that vanishes mid-handshake.
    const vanishing = await tunnel(proxy, 'api.github.com:443');
    const secure = tlsConnect({
      socket: vanishing,
      servername: 'api.github.com',
      ca: [ca.certPem],
    });
    secure.on('error', () => {});
    setImmediate(() => vanishing.destroy());
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Still serving.
    const answer = await getThroughTunnel(proxy, 'api.github.com', '/user');
    expect(answer.status).toBe(401);
    halfOpen.destroy();
    expect(egress(started).every((event) => event.action === 'refused')).toBe(true);
  });
});

describe('intercept mode: other destinations are read, searched, answered 503, never forwarded', () => {
  let open: RunCa;
  beforeAll(async () => {
    // Interception signs for any host: the run CA then has no name constraints.
    open = await createRunCa({ hosts: ['github.com'], constrained: false });
  });

  async function interceptingLab(): Promise<Lab & { proxyUrl: URL }> {
    const started = await startLab({
      interval: 1,
      proxy: true,
      ca: open,
      dialect: 'github',
      hosts: ['github.com'],
      egress: 'intercept',
    });
    opened.push(started);
    return Object.assign(started, { proxyUrl: new URL(started.proxy ?? '') });
  }

  /** One request through a CONNECT tunnel: TLS (trusting only the open CA) or plain. */
  async function through(
    proxy: URL,
    authority: string,
    request: string | Buffer,
    secure: boolean,
  ): Promise<string> {
    const socket = await tunnel(proxy, authority);
    const stream = secure
      ? tlsConnect({ socket, servername: authority.split(':')[0], ca: [open.certPem] })
      : socket;
    if (secure) await once(stream, 'secureConnect');
    stream.write(request);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    await Promise.race([once(stream, 'close'), once(stream, 'end')]);
    return Buffer.concat(chunks).toString('latin1');
  }

  it('decodes gzip, deflate, br and zstd bodies and finds the canary in each; the bystander sees nothing', async () => {
    const started = await interceptingLab();
    const target = await bystander();
    const { gzipSync, deflateSync, brotliCompressSync, zstdCompressSync } = await import(
      'node:zlib'
    );
    // A canary of this lab: a device code it issued.
    const issued = await fetch(`${started.issuer}/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: started.clientId, scope: 'openid' }),
    });
    const { device_code: code } = (await issued.json()) as { device_code: string };
    const body = Buffer.from(JSON.stringify({ crash: { code } }));
    const codings: [string, Buffer][] = [
      ['gzip', gzipSync(body)],
      ['deflate', deflateSync(body)],
      ['br', brotliCompressSync(body)],
      ['zstd', zstdCompressSync(body)],
    ];
    for (const [coding, encoded] of codings) {
      const head = `POST /upload HTTP/1.1\r\nHost: crash.example.org\r\nContent-Encoding: ${coding}\r\nContent-Length: ${encoded.length}\r\nConnection: close\r\n\r\n`;
      const answer = await through(
        started.proxyUrl,
        'crash.example.org:443',
        Buffer.concat([Buffer.from(head), encoded]),
        true,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    }
    // Plain HTTP through a tunnel to another loopback listener: read here, not connected there.
    const plain = await through(
      started.proxyUrl,
      `127.0.0.1:${target.port}`,
      `GET /ping?dc=${code} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      false,
    );
    expect(plain).toMatch(/^HTTP\/1\.1 503 /);
    expect(target.connections()).toBe(0);
    const events = egress(started);
    expect(
      events.map((e) => [e.action, e.contentEncoding ?? '', e.carried?.map((c) => c.where)]),
    ).toEqual([
      ['intercepted', 'gzip', ['body']],
      ['intercepted', 'deflate', ['body']],
      ['intercepted', 'br', ['body']],
      ['intercepted', 'zstd', ['body']],
      ['intercepted', '', ['url']],
    ]);
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it('survives a truncated ClientHello, a corrupt gzip body and a client gone mid-request', async () => {
    const started = await interceptingLab();
    const truncated = await tunnel(started.proxyUrl, 'telemetry.example.com:443');
    truncated.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
    truncated.destroy();
    const corrupt = await through(
      started.proxyUrl,
      'telemetry.example.com:443',
      'POST /t HTTP/1.1\r\nHost: telemetry.example.com\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
      true,
    );
    expect(corrupt).toMatch(/^HTTP\/1\.1 503 /);
    const gone = await tunnel(started.proxyUrl, 'telemetry.example.com:443');
    const secure = tlsConnect({
      socket: gone,
      servername: 'telemetry.example.com',
      ca: [open.certPem],
    });
    await once(secure, 'secureConnect');
    secure.write(
      'POST /t HTTP/1.1\r\nHost: telemetry.example.com\r\nContent-Length: 1000\r\n\r\npartial',
    );
    secure.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Still serving, and the corrupt body is said to be so.
    const again = await through(
      started.proxyUrl,
      'telemetry.example.com:443',
      'GET /ok HTTP/1.1\r\nHost: telemetry.example.com\r\nConnection: close\r\n\r\n',
      true,
    );
    expect(again).toMatch(/^HTTP\/1\.1 503 /);
    const reasons = egress(started).map((e) => e.reason);
    expect(reasons.some((reason) => reason.includes('could not be decoded'))).toBe(true);
    // The truncated handshake carried no request, and is still a destination tried.
    expect(reasons.some((reason) => reason.startsWith('the tunnel closed before'))).toBe(true);
  });
});
