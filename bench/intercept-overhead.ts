// What reading, decoding and searching an egress request costs (issue: "Interception and
// decoding cost at most 20 ms per MiB of egress body over the refuse mode (same run)").
//
// In this one process: the run CA (unconstrained, as interception needs), and two labs with the
// egress proxy, one with `egress: 'intercept'`, one with `egress: 'refuse'`; each has issued a
// device code, a user code and tokens, so the search has the canaries a real run has. One client
// function, Node's https through a CONNECT tunnel with the run CA trusted, POSTs a JSON body to
// telemetry.example.com (a host no lab plays):
// - intercept: CONNECT 200, TLS handshake with a leaf from the run CA, the body sent, read by the
//   proxy, decoded (gzip variant), searched for every canary, recorded, answered 503;
// - refuse: the CONNECT is answered 403 unread and the same client code path fails there.
// Each body is sent with intercept and refuse alternately (the order swapped every round), after
// one warm-up of each; the figure is the median of the paired differences over the MiB of body as
// sent, and both medians are printed beside it. Client and proxy share this process, so the
// client's own TLS encryption of the body is in the difference too: the figure is an upper bound.
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { type Lab, startLab } from '../src/lab/index.ts';
import { inspectIntercepted } from '../src/lab/intercept.ts';
import { MAX_INTERCEPTED_BODY } from '../src/lab/proxy.ts';
import { createRunCa, type RunCa } from '../src/tls/ca.ts';
import { BenchClient, DEVICE_CODE_GRANT } from './lib/http.ts';
import { type Benchmark, type Figure, formatNumber, log, positiveInteger } from './lib/report.ts';

const HOST = 'telemetry.example.com';
const MIB = 1024 * 1024;
const SIZES_MIB = [1, 4, 16];
const REPEATS = positiveInteger('BENCH_REPEATS', 9);
const GOAL_MS_PER_MIB = 20;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface Body {
  variant: 'identity' | 'gzip';
  /** As sent. */
  bytes: Buffer;
  /** After content decoding (the same as `bytes` for identity). */
  decodedBytes: number;
  headers: Record<string, string | number>;
}

/** Upload records of random base64 (a crash dump, a cache sync): barely compressible. */
function randomJson(size: number): Buffer {
  const parts: string[] = ['{"records":['];
  let length = parts[0]?.length ?? 0;
  for (let i = 0; length < size; i++) {
    const record = `${i ? ',' : ''}{"id":"${randomUUID()}","seq":${i},"data":"${randomBytes(384).toString('base64')}"}`;
    parts.push(record);
    length += record.length;
  }
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

/** Telemetry events: repetitive fields, a few random ones; gzip takes it to about a tenth. */
function telemetryJson(size: number): Buffer {
  const commands = ['auth status', 'repo list', 'pr view', 'api user', 'auth token', 'run watch'];
  const session = Array.from({ length: 8 }, () => randomUUID());
  const parts: string[] = ['{"events":['];
  let length = parts[0]?.length ?? 0;
  let t = Date.parse('2025-01-01T00:00:00Z');
  for (let i = 0; length < size; i++) {
    t += Math.floor(Math.random() * 5000);
    const event = `${i ? ',' : ''}{"ts":"${new Date(t).toISOString()}","event":"command_run","command":"${commands[i % commands.length]}","os":"linux","arch":"x64","version":"2.63.0","session":"${session[i % session.length]}","durationMs":${Math.floor(Math.random() * 3000)},"exitCode":${i % 17 === 0 ? 1 : 0},"trace":"${randomBytes(6).toString('hex')}"}`;
    parts.push(event);
    length += event.length;
  }
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

function makeBody(variant: Body['variant'], size: number): Body {
  if (variant === 'identity') {
    const bytes = randomJson(size);
    return {
      variant,
      bytes,
      decodedBytes: bytes.length,
      headers: { 'content-type': 'application/json', 'content-length': bytes.length },
    };
  }
  const json = telemetryJson(size);
  const bytes = gzipSync(json);
  return {
    variant,
    bytes,
    decodedBytes: json.length,
    headers: {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': bytes.length,
    },
  };
}

/** A CONNECT tunnel through the proxy: the socket, or the status the proxy refused with. */
function openTunnel(proxy: URL): Promise<{ socket: Socket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: `${HOST}:443`,
      headers: { host: `${HOST}:443` },
      agent: false,
    });
    request.on('connect', (response, socket: Socket) => {
      if (response.statusCode === 200) resolve({ socket });
      else {
        socket.destroy();
        resolve({ refused: response.statusCode ?? 0 });
      }
    });
    request.on('error', reject);
    request.end();
  });
}

/** Name resolution, refused: nothing here may leave loopback, not even a DNS query. */
const noLookup: LookupFunction = (hostname, _options, callback) => {
  const error: NodeJS.ErrnoException = new Error(`no lookup of ${hostname} in a benchmark`);
  error.code = 'ENOTFOUND';
  callback(error, '', 4);
};

/**
 * One upload as a program would make it: an https POST through the proxy, trusting the run CA.
 * Resolves with the answer's status, or the CONNECT's when the proxy refused the tunnel.
 */
async function upload(proxy: URL, ca: RunCa, body: Body): Promise<number> {
  const tunnel = await openTunnel(proxy);
  if ('refused' in tunnel) return tunnel.refused;
  const { socket } = tunnel;
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: HOST,
        path: '/v1/upload',
        method: 'POST',
        headers: body.headers,
        // No agent: the request goes on the tunnel's TLS socket, and the host is never looked up
        // (an agent would resolve HOST itself; `lookup` makes sure nothing does).
        createConnection: () => tlsConnect({ socket, servername: HOST, ca: [ca.certPem] }),
        lookup: noLookup,
      },
      (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body.bytes);
  });
}

/** A lab with the proxy in `mode`, with the canaries of one signed-in device flow. */
async function labWith(ca: RunCa, mode: 'intercept' | 'refuse'): Promise<Lab & { url: URL }> {
  const lab = await startLab({ interval: 1, proxy: true, ca, egress: mode });
  const client = new BenchClient(2);
  try {
    const authorization = await client.postForm(`${lab.issuer}/device_authorization`, {
      client_id: lab.clientId,
      scope: 'openid offline_access',
    });
    lab.approve(String(authorization.body.user_code));
    const token = await client.postForm(`${lab.issuer}/token`, {
      grant_type: DEVICE_CODE_GRANT,
      device_code: String(authorization.body.device_code),
      client_id: lab.clientId,
    });
    if (token.status !== 200)
      throw new Error(`the ${mode} lab did not issue tokens: HTTP ${token.status}`);
  } finally {
    client.close();
  }
  return Object.assign(lab, { url: new URL(lab.proxy ?? '') });
}

/** Milliseconds of one upload, checked against what the mode must answer. */
async function timed(lab: Lab & { url: URL }, ca: RunCa, body: Body, expect: number) {
  const started = performance.now();
  const status = await upload(lab.url, ca, body);
  const ms = performance.now() - started;
  if (status !== expect) throw new Error(`expected HTTP ${expect}, the proxy answered ${status}`);
  return ms;
}

/** Milliseconds of the proxy's decoding and search alone (src/lab/intercept.ts), on what it keeps. */
function searchMs(lab: Lab, body: Body): number {
  const started = performance.now();
  inspectIntercepted(
    {
      method: 'POST',
      scheme: 'https',
      host: HOST,
      port: 443,
      target: '/v1/upload',
      headers: Object.fromEntries(
        Object.entries(body.headers).map(([name, value]) => [name, String(value)]),
      ),
      body: body.bytes.subarray(0, MAX_INTERCEPTED_BODY),
      truncated: body.bytes.length > MAX_INTERCEPTED_BODY,
    },
    lab.canaries(),
    (text) => text,
  );
  return performance.now() - started;
}

/** Intercept and refuse, alternately (the order swapped each round), after one warm-up each. */
async function pairs(
  intercepting: Lab & { url: URL },
  refusing: Lab & { url: URL },
  ca: RunCa,
  body: Body,
  repeats = REPEATS,
): Promise<{ intercept: number[]; refuse: number[]; deltas: number[]; search: number[] }> {
  const intercept = () => timed(intercepting, ca, body, 503);
  const refuse = () => timed(refusing, ca, body, 403);
  await intercept(); // warm-up: JIT, the leaf for HOST
  await refuse();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < repeats; i++) {
    if (i % 2 === 0) {
      a.push(await intercept());
      b.push(await refuse());
    } else {
      b.push(await refuse());
      a.push(await intercept());
    }
  }
  const search = Array.from({ length: REPEATS }, () => searchMs(intercepting, body));
  return { intercept: a, refuse: b, deltas: a.map((value, i) => value - (b[i] ?? value)), search };
}

export const benchmark: Benchmark = {
  name: 'intercept-overhead',
  title: `egress interception (TLS, read, decode, search, 503) over refusal, per MiB of body: ${SIZES_MIB.join(', ')} MiB POSTs, identity and gzip`,
  async run() {
    const ca = await createRunCa({ hosts: [], constrained: false });
    const intercepting = await labWith(ca, 'intercept');
    const refusing = await labWith(ca, 'refuse');
    const figures: Figure[] = [];
    const notes: string[] = [];
    try {
      // Warm-up of the whole path (JIT, the leaf for HOST), so the first body measured is not
      // charged for it.
      const warm = makeBody('identity', 64 * 1024);
      for (let i = 0; i < 5; i++) {
        await timed(intercepting, ca, warm, 503);
        await timed(refusing, ca, warm, 403);
      }
      // The fixed cost of one intercepted request (tunnel, handshake, 503), for reading the rest.
      // It is small and noisy: three times the pairs.
      const tiny = await pairs(intercepting, refusing, ca, makeBody('identity', 1024), 3 * REPEATS);
      const fixedMs = median(tiny.deltas);
      figures.push({
        label: '1 KiB JSON (fixed cost): intercept | refuse (medians)',
        value: `${formatNumber(median(tiny.intercept), 1)} | ${formatNumber(median(tiny.refuse), 2)} ms`,
      });
      const marginal: Figure[] = [];
      for (const variant of ['identity', 'gzip'] as const) {
        for (const mib of SIZES_MIB) {
          const body = makeBody(variant, mib * MIB);
          const sentMib = body.bytes.length / MIB;
          const { intercept, refuse, deltas, search } = await pairs(
            intercepting,
            refusing,
            ca,
            body,
          );
          const perMib = median(deltas) / sentMib;
          const name =
            variant === 'identity'
              ? `${mib} MiB JSON`
              : `${mib} MiB JSON, gzip ${formatNumber(sentMib, 2)} MiB`;
          log(
            `  ${name}: intercept ${formatNumber(median(intercept), 1)} ms, refuse ${formatNumber(median(refuse), 2)} ms, decode+search ${formatNumber(median(search), 1)} ms, ${formatNumber(perMib, 1)} ms/MiB sent`,
          );
          // The goal is per MiB of body: as sent for identity bodies; for gzip bodies per MiB
          // decoded, the body the program composed and the proxy must decode and search (per
          // MiB sent, each compressed MiB stands for about ten decoded).
          const decodedMib = body.decodedBytes / MIB;
          const perDecodedMib = median(deltas) / decodedMib;
          const judged = variant === 'identity' ? perMib : perDecodedMib;
          figures.push(
            {
              label: `${name}: intercept | refuse | decode+search alone (medians)`,
              value: `${formatNumber(median(intercept), 1)} | ${formatNumber(median(refuse), 2)} | ${formatNumber(median(search), 1)} ms`,
            },
            {
              label: `${name}: (intercept − refuse) per MiB ${variant === 'identity' ? 'sent' : 'decoded'}`,
              value: `${formatNumber(judged, 1)} ms/MiB`,
              goal: { text: `≤ ${GOAL_MS_PER_MIB} ms/MiB`, met: judged <= GOAL_MS_PER_MIB },
            },
          );
          if (variant === 'gzip') {
            figures.push({
              label: `${name}: (intercept − refuse) per MiB sent (compressed)`,
              value: `${formatNumber(perMib, 1)} ms/MiB`,
            });
          }
          if (mib === SIZES_MIB.at(-1)) {
            marginal.push({
              label: `${variant}, ${mib} MiB: (intercept − refuse − fixed cost) per MiB sent`,
              value: `${formatNumber((median(deltas) - fixedMs) / sentMib, 1)} ms/MiB`,
            });
          }
        }
      }
      figures.push(...marginal);
      notes.push(
        `${REPEATS} alternating intercept/refuse pairs per body (order swapped each round) after one warm-up of each (and 5 of the whole path first); goal figure = median paired difference / MiB of body: as sent for identity bodies, decoded for gzip bodies (the body the program composed, which the proxy decodes and searches; per MiB sent compressed is printed beside it)`,
        `fixed cost: the 1 KiB body (CONNECT, TLS handshake, 503; ${3 * REPEATS} pairs), subtracted in the last two figures to show the cost that grows with the body`,
        `decode+search alone: inspectIntercepted (src/lab/intercept.ts) on the same body, outside the proxy, median of ${REPEATS}`,
        `the search looks for the ${intercepting.canaries().length} canaries of one signed-in device flow (device code, user code, tokens), in every encoding it knows`,
        `the intercept side includes CONNECT, a TLS handshake, the client's encryption and the proxy's decryption of the body (same process), reading, decoding, searching and the 503; the refuse side is the CONNECT answered 403`,
        `bodies over ${MAX_INTERCEPTED_BODY / MIB} MiB are read in full but only their first ${MAX_INTERCEPTED_BODY / MIB} MiB kept and searched (the 16 MiB identity body)`,
        'identity bodies: records of random base64; gzip bodies: telemetry-like JSON events, compressed before the clock starts',
      );
    } finally {
      await Promise.all([intercepting.close(), refusing.close()]);
    }
    return { figures, notes };
  },
};
