// Fuzzing the TLS interception path of the egress proxy (`egress: 'intercept'`): whatever a
// program sends through a CONNECT tunnel to a destination the task does not play (random bytes,
// truncated or garbled ClientHellos, bytes that start like a TLS record, HTTP-looking prefixes,
// garbage inside a finished TLS session), the proxy must not crash, must keep answering a
// well-formed HTTPS request through a new tunnel with 503, and must record every tunnel as an
// egress event (a destination tried).
//
// HTTP/2: the proxy offers only `http/1.1` in ALPN and reads requests with Node's HTTP/1.1
// parser. What that does in Node 24 (checked below, not assumed):
// - a client offering `['h2']` only fails the handshake: the server answers its ClientHello
//   with the fatal alert no_application_protocol (record 15 03 03 00 02 02 78), the client gets
//   ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL, and the tunnel is recorded as one that closed
//   before a request could be read;
// - a client offering `['h2', 'http/1.1']` negotiates `http/1.1`, and its request is read,
//   searched for canaries and answered 503;
// - an h2 connection preface sent after a successful handshake (prior knowledge, or no ALPN)
//   is not HTTP/1.1: the parser fails, the client gets `400 Bad Request`, the tunnel closes and
//   is recorded like a failed handshake. An h2 request is never searched, but its destination
//   is always on record.
//
// Two gaps the fuzzing found in src/lab/proxy.ts, now closed, are pinned by the tests at the end:
// - UNFINISHED_REQUEST: a request whose head was read but whose body never ended (the client
//   left mid-upload) left no egress event at all, though its URL and headers were read;
// - HALF_OPEN_HANDSHAKE: a tunnel whose client sent part of a TLS handshake and then ended its
//   side was held until the 10 s handshake timeout (or the lab's close), and recorded only then.
//
// Every tunnel goes to `telemetry.example.com` on a port of its own, so each egress event can
// be matched to the tunnel that caused it (one leaf for the host, made once).
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EgressEvent, type Lab, startLab } from '../src/lab/index.ts';
import { createRunCa, type RunCa } from '../src/tls/ca.ts';

const HOST = 'telemetry.example.com';
const CLOSE_REASON = /^the tunnel closed before a request could be read/;

let ca: RunCa;
/** ClientHellos as Node's TLS client sends them to HOST (captured without any network). */
let clientHello: Buffer;
let h2OnlyHello: Buffer;
let nextPort = 20_000;
/** A port no other tunnel of this file used: the events of a tunnel are those with its port. */
const freshPort = () => nextPort++;

const opened: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()));
});

beforeAll(async () => {
  // Interception signs for any host: a CA without name constraints.
  ca = await createRunCa({ hosts: ['github.com'], constrained: false });
  clientHello = await captureClientHello();
  h2OnlyHello = await captureClientHello(['h2']);
});

interface Intercepting {
  lab: Lab;
  proxy: URL;
  /** The egress events of the tunnel (or tunnels) to this port. */
  egressFor(port: number): EgressEvent[];
}

async function interceptingLab(): Promise<Intercepting> {
  const lab = await startLab({
    interval: 1,
    proxy: true,
    ca,
    dialect: 'github',
    hosts: ['github.com'],
    egress: 'intercept',
  });
  opened.push(lab);
  return {
    lab,
    proxy: new URL(lab.proxy ?? ''),
    egressFor: (port) =>
      lab.trace.events.filter(
        (event): event is EgressEvent => event.type === 'egress' && event.port === port,
      ),
  };
}

/** The first flight of a TLS client to HOST, written into a stream that goes nowhere. */
async function captureClientHello(alpn?: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let wrote: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    wrote = resolve;
  });
  const sink = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      wrote();
      callback();
    },
  });
  const secure = tlsConnect({
    socket: sink,
    servername: HOST,
    ca: [ca.certPem],
    ...(alpn && { ALPNProtocols: alpn }),
  });
  secure.on('error', () => {});
  await first;
  secure.destroy();
  return Buffer.concat(chunks);
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** Resolves true once `stream` closed, false after `ms`. */
function closedWithin(stream: Duplex, ms: number): Promise<boolean> {
  if (stream.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/**
 * Opens a CONNECT tunnel to HOST:port, with `head` sent in the same write as the CONNECT (the
 * proxy then gets it as the `head` of its connect event), and resolves once the proxy said 200.
 */
async function openTunnel(proxy: URL, port: number, head?: Buffer): Promise<Socket> {
  const socket = connect(Number(proxy.port), proxy.hostname);
  socket.on('error', () => {});
  await once(socket, 'connect');
  const authority = `${HOST}:${port}`;
  const connectLine = Buffer.from(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  socket.write(head ? Buffer.concat([connectLine, head]) : connectLine);
  const [reply] = (await once(socket, 'data')) as [Buffer];
  expect(reply.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
  // Whatever followed the 200 in the same read (an answer to `head`) goes back to the stream.
  if (reply.length > ESTABLISHED.length) socket.unshift(reply.subarray(ESTABLISHED.length));
  return socket;
}

/** A TLS session through a fresh tunnel, trusting only the run CA. */
async function secureTunnel(proxy: URL, port: number, alpn?: string[]) {
  const socket = await openTunnel(proxy, port);
  const secure = tlsConnect({
    socket,
    servername: HOST,
    ca: [ca.certPem],
    ...(alpn && { ALPNProtocols: alpn }),
  });
  secure.on('error', () => {});
  await once(secure, 'secureConnect');
  return secure;
}

/** Writes `request` into `stream` and returns all it answers until the proxy closes (3 s at most). */
async function exchange(stream: Duplex, request: string | Buffer): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.write(request);
  expect(await closedWithin(stream, 3000), 'the proxy ends the connection').toBe(true);
  return Buffer.concat(chunks).toString('latin1');
}

interface Delivery {
  bytes: Buffer;
  /** Sent in the CONNECT's own write (the proxy's `head`) rather than after the 200. */
  inHead: boolean;
  /** Sent as this many writes (a couple of ms apart), as a slow client would. */
  pieces: number;
}

/** Sends `bytes` through a fresh tunnel and ends the client's side: the tunnel's port. */
async function sendThrough(
  proxy: URL,
  { bytes, inHead, pieces }: Delivery,
): Promise<{ port: number; socket: Socket }> {
  const port = freshPort();
  const socket = await openTunnel(proxy, port, inHead ? bytes : undefined);
  socket.resume(); // whatever the proxy answers is not looked at
  if (!inHead) {
    const size = Math.ceil(bytes.length / pieces);
    for (let at = 0; at < bytes.length; at += size) {
      socket.write(bytes.subarray(at, at + size));
      if (at + size < bytes.length) await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  socket.end();
  return { port, socket };
}

const WELL_FORMED = `POST /v1/events HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`;

/** After each fuzz run: a well-formed HTTPS request through a new tunnel is read and answered 503. */
async function stillServing(target: Intercepting): Promise<void> {
  const port = freshPort();
  const secure = await secureTunnel(target.proxy, port);
  expect(await exchange(secure, WELL_FORMED)).toMatch(/^HTTP\/1\.1 503 /);
  expect(await waitFor(() => target.egressFor(port).length > 0, 2000)).toBe(true);
  expect(target.egressFor(port)).toEqual([
    expect.objectContaining({
      method: 'POST',
      scheme: 'https',
      host: HOST,
      path: '/v1/events',
      action: 'intercepted',
    }),
  ]);
}

/**
 * After a property's runs: the lab is closed (which ends any tunnel still held), then every
 * tunnel must be on record, intercepted, at HOST and its own port (an unfinished request too).
 */
async function everyTunnelRecorded(
  target: Intercepting,
  tunnels: { port: number; socket: Socket }[],
): Promise<void> {
  for (const { socket } of tunnels) socket.destroy();
  await target.lab.close();
  await waitFor(() => tunnels.every(({ port }) => target.egressFor(port).length > 0), 3000);
  for (const tunnel of tunnels) {
    const { port } = tunnel;
    const events = target.egressFor(port);
    expect(events.length, `tunnel on port ${port} is on record`).toBeGreaterThan(0);
    for (const event of events) {
      expect(event).toMatchObject({ host: HOST, port, action: 'intercepted' });
    }
  }
}

const bytes = (max: number) =>
  fc.uint8Array({ minLength: 1, maxLength: max }).map((array) => Buffer.from(array));

/** A real ClientHello, cut short somewhere and with a few bytes overwritten. */
const garbledHello = fc
  .record({
    cut: fc.nat(),
    flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
      maxLength: 6,
    }),
    // The TLS record header kept intact, so the bytes go down the TLS path.
    keepHeader: fc.boolean(),
  })
  .map(({ cut, flips, keepHeader }) => {
    const hello = Buffer.from(clientHello.subarray(0, 1 + (cut % clientHello.length)));
    for (const { at, value } of flips) {
      const index = at % hello.length;
      if (!(keepHeader && index < 5)) hello[index] = value;
    }
    return hello;
  });

/** Starts like a TLS handshake record (0x16 0x03 …), then anything. */
const tlsLooking = fc
  .tuple(fc.integer({ min: 0, max: 4 }), bytes(600))
  .map(([minor, rest]) => Buffer.concat([Buffer.from([0x16, 0x03, minor]), rest]));

const HTTP_PREFIXES = [
  'GET ',
  'GET / HTTP/1.1\r\n',
  'GET /collect?x=1 HTTP/1.1\r\nHost: telemetry.example.com\r\n\r\n',
  'POST /collect HTTP/1.1\r\nHost: telemetry.example.com\r\n',
  'POST /collect HTTP/1.1\r\nHost: telemetry.example.com\r\nContent-Length: 100\r\n\r\n',
  'POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n',
  'POST /c HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  'CONNECT github.com:443 HTTP/1.1\r\n\r\n',
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'HTTP/1.1 200 OK\r\n',
  '\r\n\r\n',
];

/** An HTTP-looking prefix, then random text or bytes (or nothing). */
const httpLooking = fc
  .tuple(
    fc.constantFrom(...HTTP_PREFIXES),
    fc.oneof(
      fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
      bytes(200),
      fc.constant(Buffer.alloc(0)),
    ),
  )
  .map(([prefix, rest]) => Buffer.concat([Buffer.from(prefix, 'latin1'), rest]));

const delivery = (payload: fc.Arbitrary<Buffer>): fc.Arbitrary<Delivery> =>
  fc.record({
    bytes: payload,
    inHead: fc.boolean(),
    pieces: fc.integer({ min: 1, max: 3 }),
  });

/**
 * Fuzzes what a tunnel carries: after each run the proxy still serves; after all runs every
 * tunnel is on record (a first byte other than 0x16 makes the proxy read it as plain HTTP).
 */
async function fuzzTunnels(payload: fc.Arbitrary<Buffer>, numRuns: number): Promise<void> {
  const target = await interceptingLab();
  const tunnels: { port: number; socket: Socket }[] = [];
  await fc.assert(
    fc.asyncProperty(delivery(payload), async (sent) => {
      tunnels.push(await sendThrough(target.proxy, sent));
      await stillServing(target);
    }),
    { numRuns },
  );
  await everyTunnelRecorded(target, tunnels);
}

describe('the intercepting proxy survives anything sent through a CONNECT tunnel', () => {
  it('a real ClientHello, truncated and garbled', async () => {
    await fuzzTunnels(garbledHello, 80);
  });

  it('bytes that start like a TLS handshake record (0x16 0x03 …)', async () => {
    await fuzzTunnels(tlsLooking, 60);
  });

  it('arbitrary bytes and HTTP-looking prefixes, read as plain HTTP', async () => {
    await fuzzTunnels(fc.oneof(bytes(600), httpLooking), 100);
  });

  it('arbitrary bytes and HTTP-looking prefixes inside a finished TLS session', async () => {
    const target = await interceptingLab();
    const tunnels: { port: number; socket: Socket }[] = [];
    await fc.assert(
      fc.asyncProperty(fc.oneof(bytes(600), httpLooking), async (payload) => {
        const port = freshPort();
        const secure = await secureTunnel(target.proxy, port);
        secure.resume();
        secure.end(payload);
        tunnels.push({ port, socket: secure });
        await stillServing(target);
      }),
      { numRuns: 80 },
    );
    await everyTunnelRecorded(target, tunnels);
  });
});

describe('HTTP/2 through the intercepting proxy (it offers only http/1.1 in ALPN)', () => {
  it("fails the handshake of a client offering only 'h2' with the alert no_application_protocol, and records the tunnel", async () => {
    const target = await interceptingLab();
    const port = freshPort();
    const secure = tlsConnect({
      socket: await openTunnel(target.proxy, port),
      servername: HOST,
      ca: [ca.certPem],
      ALPNProtocols: ['h2'],
    });
    type Outcome = { alpn: string | false | null } | { code: string | undefined };
    const outcome = await new Promise<Outcome>((resolve) => {
      secure.once('secureConnect', () => resolve({ alpn: secure.alpnProtocol }));
      secure.once('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code }));
    });
    secure.destroy();
    expect(outcome).toEqual({ code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' });
    expect(await waitFor(() => target.egressFor(port).length > 0, 2000)).toBe(true);
    expect(target.egressFor(port)).toEqual([
      expect.objectContaining({
        method: 'CONNECT',
        scheme: 'https',
        host: HOST,
        port,
        action: 'intercepted',
        carried: [],
        reason: expect.stringMatching(CLOSE_REASON),
      }),
    ]);

    // On the wire: the ClientHello is answered with nothing but a fatal alert 120.
    const rawPort = freshPort();
    const raw = await openTunnel(target.proxy, rawPort);
    expect(Buffer.from(await exchange(raw, h2OnlyHello), 'latin1').toString('hex')).toBe(
      '15030300020278',
    );
    expect(await waitFor(() => target.egressFor(rawPort).length > 0, 2000)).toBe(true);
  });

  it("negotiates http/1.1 with a client offering ['h2', 'http/1.1'], and reads, searches and records its request", async () => {
    const target = await interceptingLab();
    // A canary of this lab in the body: the request was read and searched, not just recorded.
    const issued = await fetch(`${target.lab.issuer}/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: target.lab.clientId, scope: 'openid' }),
    });
    const { device_code: code } = (await issued.json()) as { device_code: string };
    const port = freshPort();
    const secure = await secureTunnel(target.proxy, port, ['h2', 'http/1.1']);
    expect(secure.alpnProtocol).toBe('http/1.1');
    const body = JSON.stringify({ event: 'login', code });
    const answer = await exchange(
      secure,
      `POST /v1/events HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(await waitFor(() => target.egressFor(port).length > 0, 2000)).toBe(true);
    const events = target.egressFor(port);
    expect(events).toEqual([
      expect.objectContaining({ method: 'POST', scheme: 'https', path: '/v1/events' }),
    ]);
    expect(events[0]?.carried?.map((carried) => carried.where)).toEqual(['body']);
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it.each([
    ['no ALPN', undefined],
    ["ALPN ['h2', 'http/1.1']", ['h2', 'http/1.1']],
  ])(
    'answers an h2 connection preface after the handshake (%s) with 400 and records the tunnel',
    async (_name, alpn) => {
      const target = await interceptingLab();
      const port = freshPort();
      const secure = await secureTunnel(target.proxy, port, alpn);
      // The preface, then an empty SETTINGS frame, as an h2 client with prior knowledge sends.
      const answer = await exchange(
        secure,
        Buffer.concat([
          Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
          Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0]),
        ]),
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(await waitFor(() => target.egressFor(port).length > 0, 2000)).toBe(true);
      expect(target.egressFor(port)).toEqual([
        expect.objectContaining({
          method: 'CONNECT',
          scheme: 'https',
          host: HOST,
          action: 'intercepted',
          reason: expect.stringMatching(CLOSE_REASON),
        }),
      ]);
      await stillServing(target);
    },
  );
});

describe('gaps found by the fuzzing above, closed', () => {
  it('UNFINISHED_REQUEST: records a request whose head was read and whose body never came', async () => {
    const target = await interceptingLab();
    const issued = await fetch(`${target.lab.issuer}/device_authorization`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: target.lab.clientId, scope: 'openid' }),
    });
    const { device_code: code } = (await issued.json()) as { device_code: string };
    const port = freshPort();
    const secure = await secureTunnel(target.proxy, port);
    // The canary is in the URL and a header: both were read before the client left.
    secure.write(
      `POST /upload?dc=${code} HTTP/1.1\r\nHost: ${HOST}\r\nAuthorization: Bearer ${code}\r\nContent-Length: 100000\r\n\r\npartial`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    secure.destroy();
    // On record, with what was read before the client left.
    await target.lab.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.egressFor(port)).toEqual([
      expect.objectContaining({ host: HOST, port, action: 'intercepted' }),
    ]);
    const where = target.egressFor(port)[0]?.carried?.map((carried) => carried.where);
    expect(where).toEqual(expect.arrayContaining(['url', 'header']));
  });

  it('HALF_OPEN_HANDSHAKE: closes and records a tunnel whose client left mid-handshake at once', async () => {
    const target = await interceptingLab();
    const port = freshPort();
    const socket = await openTunnel(target.proxy, port);
    socket.resume();
    socket.end(clientHello.subarray(0, 7));
    // Not held until the handshake timeout (10 s) or the lab's close.
    expect(await closedWithin(socket, 1500)).toBe(true);
    expect(await waitFor(() => target.egressFor(port).length > 0, 1000)).toBe(true);
    expect(target.egressFor(port)).toEqual([
      expect.objectContaining({ method: 'CONNECT', reason: expect.stringMatching(CLOSE_REASON) }),
    ]);
  });
});
