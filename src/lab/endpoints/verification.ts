// RFC 8628 §3.3 and §5.1: the page where a person enters the user code, sees the client and
// scopes, and approves or denies. CSRF-protected (a cookie and an HMAC of it in the form), and
// wrong codes are rate-limited per address so the 34.5-bit code space cannot be walked.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fingerprint } from '../../evidence/secret.ts';
import { normalizeUserCode } from '../canaries.ts';
import type { Exchange, Handler, LabContext, Reply } from '../context.ts';
import { OAuthError, parseForm, readBody } from '../http.ts';
import { consentForm, entryForm, renderPage, resultPage } from '../verification-page.ts';

const COOKIE = 'devicebound_csrf';
/** RFC 8628 §5.1: five wrong codes a minute per address, then wait. */
export const MAX_WRONG_CODES = 5;
const WINDOW_MS = 60_000;

export function createVerification(): { show: Handler; submit: Handler } {
  const key = randomBytes(32);
  const failures = new Map<string, number[]>();

  const tokenFor = (cookie: string) => createHmac('sha256', key).update(cookie).digest('base64url');

  const session = (request: IncomingMessage): { cookie: string; fresh: boolean } => {
    const existing = readCookie(request, COOKIE);
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return { cookie: existing, fresh: false };
    return { cookie: randomBytes(32).toString('base64url'), fresh: true };
  };

  const wrongCodes = (address: string, now: number): number[] => {
    const recent = (failures.get(address) ?? []).filter((at) => now - at < WINDOW_MS);
    failures.set(address, recent);
    return recent;
  };

  /** Looks a typed code up, counting a miss against the address; `Reply` when it fails. */
  const lookup = (context: LabContext, exchange: Exchange, csrf: string, input: string) => {
    const now = context.trace.now();
    const address = exchange.request.socket.remoteAddress ?? 'unknown';
    const recent = wrongCodes(address, now);
    if (context.settings.rateLimitUserCodes && recent.length >= MAX_WRONG_CODES) {
      const wait = Math.ceil((WINDOW_MS - (now - (recent[0] ?? now))) / 1000);
      return page(
        429,
        entryForm(csrf, { error: `Too many wrong codes. Try again in ${wait} s.` }),
        {
          'retry-after': String(wait),
        },
        'rate_limited',
      );
    }
    const key = normalizeUserCode(input);
    const authorization = key ? context.store.byUserCode.get(key) : undefined;
    if (authorization) {
      exchange.event.presented.push({
        kind: 'user_code',
        fingerprint: authorization.userCode.fingerprint,
      });
      exchange.event.deviceCode = authorization.deviceCode.fingerprint;
    } else if (key) {
      exchange.event.presented.push({
        kind: 'user_code',
        fingerprint: fingerprint(`${key.slice(0, 4)}-${key.slice(4)}`),
      });
    }
    if (authorization?.status !== 'pending' || now >= authorization.expiresAt) {
      recent.push(now);
      return page(
        400,
        entryForm(csrf, {
          error: 'That code is not valid, has expired or was already used.',
          value: input.slice(0, 16),
        }),
        {},
        'invalid_user_code',
      );
    }
    return authorization;
  };

  const show: Handler = (context, exchange) => {
    const { cookie, fresh } = session(exchange.request);
    const csrf = tokenFor(cookie);
    const headers: Record<string, string> = fresh ? { 'set-cookie': setCookie(cookie) } : {};
    const prefilled = exchange.url.searchParams.get('user_code');
    if (prefilled === null) return withHeaders(page(200, entryForm(csrf), {}, 'form'), headers);
    const found = lookup(context, exchange, csrf, prefilled);
    if ('kind' in found) return withHeaders(found, headers);
    exchange.event.clientId = found.clientId;
    exchange.event.scope = found.scope;
    return withHeaders(page(200, consent(context, csrf, found), {}, 'consent'), headers);
  };

  const submit: Handler = async (context, exchange) => {
    const { request } = exchange;
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== 'null' && origin !== context.issuer) {
      return page(
        403,
        resultPage('problem', 'This form was sent from another site.'),
        {},
        'csrf_failed',
      );
    }
    const form = parseForm(request, await readBody(request));
    const cookie = readCookie(request, COOKIE);
    const sent = form.get('csrf') ?? '';
    if (!cookie || !safeEqual(sent, tokenFor(cookie))) {
      return page(
        403,
        resultPage('problem', 'This form has expired. Open the page again and retry.'),
        {},
        'csrf_failed',
      );
    }
    const csrf = sent;
    const found = lookup(context, exchange, csrf, form.get('user_code') ?? '');
    if ('kind' in found) return found;
    exchange.event.clientId = found.clientId;
    exchange.event.scope = found.scope;

    switch (form.get('action')) {
      case 'lookup':
        return page(200, consent(context, csrf, found), {}, 'consent');
      case 'approve':
        context.decide(found, 'approved', 'page');
        return page(
          200,
          resultPage('approved', 'Approved. Return to your device: it will finish signing in.'),
          {},
          'approved',
        );
      case 'deny':
        context.decide(found, 'denied', 'page');
        return page(
          200,
          resultPage('denied', 'Denied. The device will not get access.'),
          {},
          'denied',
        );
      default:
        throw new OAuthError('invalid_request', "action must be 'lookup', 'approve' or 'deny'");
    }
  };

  return { show, submit };
}

function consent(
  context: LabContext,
  csrf: string,
  authorization: {
    userCode: { reveal(): string };
    clientId: string;
    scope: string;
    expiresAt: number;
  },
) {
  return consentForm(csrf, {
    userCode: authorization.userCode.reveal(),
    clientId: authorization.clientId,
    scope: authorization.scope,
    expiresInSeconds: (authorization.expiresAt - context.trace.now()) / 1000,
  });
}

/** A page reply; `outcome` is what the trace records for it. */
function page(
  status: number,
  content: { title: string; body: string },
  headers: Record<string, string>,
  outcome: string,
): Reply {
  const nonce = randomBytes(16).toString('base64');
  return {
    kind: 'html',
    status,
    outcome,
    body: renderPage({ nonce, ...content }),
    headers: {
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...headers,
    },
  };
}

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  return 'headers' in reply ? { ...reply, headers: { ...reply.headers, ...headers } } : reply;
}

function setCookie(value: string): string {
  return `${COOKIE}=${value}; Path=/device; HttpOnly; SameSite=Strict`;
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
