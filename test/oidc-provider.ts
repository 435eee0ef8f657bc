// A real third-party authorization server for tests: `oidc-provider` (npm) with its device
// flow, revocation and development interactions enabled, in-process on loopback, over plain
// HTTP or TLS with a test CA. The user's side is driven through oidc-provider's own pages
// (enter the code, confirm, log in, consent — or abort), as a browser would, with a cookie jar.
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { createRunCa } from '../src/tls/ca.ts';

export const CLIENT_ID = 'devicebound-interop';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * oidc-provider announces its development defaults (in-memory adapter, default pages, default
 * TTLs) on the console. They are expected in tests: call once at the top of a test file.
 */
export function quietProvider(): void {
  const original = { info: console.info, warn: console.warn };
  beforeAll(() => {
    for (const level of ['info', 'warn'] as const) {
      console[level] = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
        original[level](...args);
      };
    }
  });
  afterAll(() => Object.assign(console, original));
}

export interface Op {
  issuer: string;
  /** PEM of the CA its TLS certificate chains to (with `tls`). */
  caPem?: string;
  /** Every request the provider got: method, path, performance.now() at arrival. */
  requests: { method: string; path: string; at: number }[];
}

export interface ProviderOptions {
  deviceCodeTtl?: number;
  /** Serve over TLS with a certificate for 127.0.0.1 from a fresh test CA. */
  tls?: boolean;
}

/** Starts oidc-provider on a free loopback port; it stops when the test finishes. */
export async function startProvider(
  context: TestContext,
  options: ProviderOptions | number = {},
): Promise<Op> {
  const { deviceCodeTtl = 600, tls = false } =
    typeof options === 'number' ? { deviceCodeTtl: options } : options;
  const server: Server = createServer();
  const ca = tls ? await createRunCa({ hosts: [] }) : undefined;
  const sockets = new Set<Socket>();
  let listener: Server | ReturnType<typeof createNetServer> = server;
  if (ca) {
    const secureContext = await ca.secureContext('127.0.0.1');
    listener = createNetServer((raw) => {
      sockets.add(raw);
      raw.on('close', () => sockets.delete(raw));
      raw.on('error', () => {});
      const socket = new TLSSocket(raw, { isServer: true, secureContext });
      socket.on('error', () => socket.destroy());
      socket.once('secure', () => server.emit('connection', socket));
    });
  }
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  const issuer = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'none',
      },
    ],
    scopes: ['openid', 'offline_access', 'profile'],
    features: {
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: true },
    },
    ttl: { DeviceCode: deviceCodeTtl },
  });
  const handle = provider.callback();
  const op: Op = { issuer, ...(ca && { caPem: ca.certPem }), requests: [] };
  server.on('request', (request, response) => {
    op.requests.push({
      method: request.method ?? '',
      path: new URL(request.url ?? '/', issuer).pathname,
      at: performance.now(),
    });
    handle(request, response);
  });
  context.onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  );
  return op;
}

interface Page {
  url: string;
  status: number;
  html: string;
  location: string | null;
}

/** One browser request, over TLS trusting `caPem` when given. */
async function visit(
  url: string,
  jar: Map<string, string>,
  caPem: string | undefined,
  body?: URLSearchParams,
): Promise<Page> {
  const headers: Record<string, string> = {
    cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
    ...(body && { 'content-type': 'application/x-www-form-urlencoded' }),
  };
  let status: number;
  let html: string;
  let location: string | null;
  let cookies: string[];
  if (url.startsWith('https:')) {
    const answer = await new Promise<{
      status: number;
      text: string;
      headers: Record<string, unknown>;
    }>((resolve, reject) => {
      const request = httpsRequest(
        url,
        { method: body ? 'POST' : 'GET', headers, ...(caPem && { ca: caPem }) },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              headers: response.headers,
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body?.toString());
    });
    status = answer.status;
    html = answer.text;
    location = typeof answer.headers.location === 'string' ? answer.headers.location : null;
    const setCookie = answer.headers['set-cookie'];
    cookies = Array.isArray(setCookie) ? (setCookie as string[]) : [];
  } else {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers,
      ...(body && { body }),
    });
    status = response.status;
    html = await response.text();
    location = response.headers.get('location');
    cookies = response.headers.getSetCookie();
  }
  for (const cookie of cookies) {
    const pair = cookie.split(';')[0] ?? '';
    const equals = pair.indexOf('=');
    jar.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  return { url, status, html, location };
}

/**
 * What a person does in a browser: opens verification_uri_complete, confirms the code, logs in
 * (any login works in oidc-provider's development pages) and consents — or presses Abort.
 * Follows redirects and submits the first form of each page, keeping cookies.
 */
export async function actAsUser(
  uri: string,
  decision: 'approve' | 'deny',
  caPem?: string,
): Promise<string> {
  const jar = new Map<string, string>();
  let page = await visit(uri, jar, caPem);
  for (let step = 0; step < 20; step++) {
    if (page.location) {
      page = await visit(new URL(page.location, page.url).href, jar, caPem);
      continue;
    }
    if (/Sign-in Success/.test(page.html)) return 'approved';
    const form = firstForm(page.html, page.url);
    if (!form) return `stuck at HTTP ${page.status}`;
    const aborting = decision === 'deny' && form.fields.has('confirm');
    if (aborting) form.fields.set('abort', 'yes');
    if (form.fields.has('login')) {
      form.fields.set('login', 'alice');
      form.fields.set('password', 'any');
    }
    page = await visit(form.action, jar, caPem, form.fields);
    if (aborting) return 'denied';
  }
  return 'too many steps';
}

function firstForm(html: string, base: string) {
  const match = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const fields = new URLSearchParams();
  for (const [, attributes = ''] of (match[2] ?? '').matchAll(/<input([^>]*)>/gi)) {
    const name = /name="([^"]*)"/.exec(attributes)?.[1];
    const value = /value="([^"]*)"/.exec(attributes)?.[1] ?? '';
    if (name) fields.set(name, value.replace(/&amp;/g, '&'));
  }
  return { action: new URL((match[1] ?? '').replace(/&amp;/g, '&'), base).href, fields };
}
