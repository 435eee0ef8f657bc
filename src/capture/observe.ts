/**
 * What one HTTP exchange of a capture says about a device flow, with every credential hashed
 * the moment it is read: the exchange (raw bodies and headers) is dropped by the caller once
 * `observe` returns, and nothing here keeps a value, only `sha256:` fingerprints and redacted
 * previews.
 *
 * Recognised, whatever the provider (RFC 8628 and its GitHub and Microsoft dialects):
 * - a device authorization: an answer carrying `device_code` and `user_code` (JSON or form),
 *   or a request to a `/devicecode` or `/device/code` endpoint;
 * - a device token request: `grant_type` the RFC 8628 URN or GitHub's short `device_code`,
 *   with the outcome read from the answer (an `error` field, even in an HTTP 200 as GitHub
 *   sends it; `access_token` for success; a 5xx or no answer as transient);
 * - a refresh_token grant;
 * - any other request, with the fingerprints of every credential-like value it carries, so a
 *   later pass can tell a resource call (a token the flow was issued, in `Authorization`) and
 *   a token or code sent to another host.
 */
import type { CanaryKind } from '../evidence/names.ts';
import { type Fingerprint, Secret } from '../evidence/secret.ts';
import { accessTokenLifetime } from '../jwt.ts';

/** One request and its answer, as any capture format gives it. */
export interface HttpExchange {
  /** Position in the capture (0-based), for messages and SARIF locations. */
  index: number;
  /** Line of the capture file where it starts, when the format has lines. */
  line?: number;
  /** The HAR page it belongs to (`pageref`), when the capture has pages. */
  page?: string;
  /** Wall-clock start, epoch ms. */
  startedAt: number;
  method: string;
  url: string;
  /** Header names lower case. */
  requestHeaders: readonly (readonly [string, string])[];
  requestBody: string | undefined;
  /** 0 when the capture has no answer (the connection failed or was aborted). */
  status: number;
  responseHeaders: readonly (readonly [string, string])[];
  responseBody: string | undefined;
}

/** A credential as a capture records it: kind, fingerprint, redacted preview. */
export interface SeenCredential {
  kind: CanaryKind;
  fingerprint: Fingerprint;
  preview: string;
}

export type ObservedKind = 'device_authorization' | 'token' | 'other';

export interface Observation {
  index: number;
  /** Line of the capture file the entry starts on (0 when the format has none). */
  line: number;
  /** The HAR page (`pageref`): a session never spans two pages. */
  page?: string;
  startedAt: number;
  method: string;
  scheme: string;
  host: string;
  port: number;
  /** Path without the query (a query can hold a credential). */
  path: string;
  status: number;
  kind: ObservedKind;
  /** The grant as sent, when a token request. */
  wireGrantType?: string;
  /** The RFC name of the grant (GitHub's `device_code` is the RFC 8628 URN). */
  grantType?: string;
  clientId?: string;
  scope?: string;
  /** `success`, the OAuth error, `server_error` for a 5xx without one, `connection_failed`. */
  outcome: string;
  /** token answers: how long the access token lives, seconds (expires_in or JWT exp − iat). */
  tokenLifetime?: number;
  /** device authorization: what it announced. */
  interval?: number;
  expiresIn?: number;
  /** Credentials the request presented (device code, refresh token) or the answer issued. */
  presented: SeenCredential[];
  issued: SeenCredential[];
  /** `Authorization` header credential, for resource calls. */
  bearer?: Fingerprint;
  /** Every credential-like value the request carried, and where. */
  carried: { fingerprint: Fingerprint; where: 'url' | 'header' | 'body'; header?: string }[];
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Values shorter than this are not taken for credentials (flags, ids, small numbers). */
const MIN_CREDENTIAL_LENGTH = 8;

export function observe(exchange: HttpExchange, table?: FingerprintTable): Observation {
  const url = safeUrl(exchange.url);
  const request = formOrJson(
    exchange.requestBody,
    headerOf(exchange.requestHeaders, 'content-type'),
  );
  const answer = formOrJson(
    exchange.responseBody,
    headerOf(exchange.responseHeaders, 'content-type'),
  );
  const path = url?.pathname ?? '';
  const base = {
    index: exchange.index,
    line: exchange.line ?? 0,
    ...(exchange.page !== undefined && { page: exchange.page }),
    startedAt: exchange.startedAt,
    method: exchange.method.toUpperCase(),
    scheme: url?.protocol.replace(/:$/, '') ?? 'unknown',
    host: url?.hostname.toLowerCase() ?? '',
    port: url ? Number(url.port || (url.protocol === 'https:' ? 443 : 80)) : 0,
    path,
    status: exchange.status,
  };
  const carried = carriedBy(exchange, url, table);
  const bearer = bearerOf(exchange.requestHeaders);
  const clientId = request.get('client_id');
  const scope = request.get('scope');
  const named = { ...(clientId && { clientId }), ...(scope !== undefined && { scope }) };

  const wireGrantType = request.get('grant_type');
  if (wireGrantType === DEVICE_CODE_GRANT || wireGrantType === 'device_code') {
    const code = request.get('device_code');
    return {
      ...base,
      kind: 'token',
      wireGrantType,
      grantType: DEVICE_CODE_GRANT,
      ...named,
      outcome: tokenOutcomeOf(exchange.status, answer),
      ...lifetimeOf(answer),
      presented: code ? [seen('device_code', code)] : [],
      issued: tokensIn(answer),
      ...(bearer && { bearer }),
      carried,
    };
  }
  if (wireGrantType === 'refresh_token') {
    const token = request.get('refresh_token');
    return {
      ...base,
      kind: 'token',
      wireGrantType,
      grantType: 'refresh_token',
      ...named,
      outcome: tokenOutcomeOf(exchange.status, answer),
      ...lifetimeOf(answer),
      presented: token ? [seen('refresh_token', token)] : [],
      issued: tokensIn(answer),
      carried,
    };
  }
  const deviceCode = answer.get('device_code');
  const userCode = answer.get('user_code');
  const deviceEndpoint = /\/device(?:code|\/code|_authorization|authorization)\/?$/i.test(path);
  if ((deviceCode && userCode) || (deviceEndpoint && exchange.method.toUpperCase() === 'POST')) {
    const interval = positive(answer.get('interval'));
    const expiresIn = positive(answer.get('expires_in'));
    return {
      ...base,
      kind: 'device_authorization',
      ...named,
      outcome: deviceCode && userCode ? 'success' : outcomeOf(exchange.status, answer),
      ...(interval !== undefined && { interval }),
      ...(expiresIn !== undefined && { expiresIn }),
      presented: [],
      issued: [
        ...(deviceCode ? [seen('device_code', deviceCode)] : []),
        ...(userCode ? [seen('user_code', userCode)] : []),
      ],
      carried,
    };
  }
  return {
    ...base,
    kind: 'other',
    outcome: outcomeOf(exchange.status, answer),
    presented: [],
    issued: [],
    ...(bearer && { bearer }),
    carried,
  };
}

function seen(kind: CanaryKind, value: string): SeenCredential {
  const secret = new Secret(value);
  return { kind, fingerprint: secret.fingerprint, preview: secret.preview };
}

function tokensIn(answer: Fields): SeenCredential[] {
  const issued: SeenCredential[] = [];
  for (const kind of ['access_token', 'refresh_token', 'id_token'] as const) {
    const value = answer.get(kind);
    if (value) issued.push(seen(kind, value));
  }
  return issued;
}

/** The access token's lifetime, when the answer has one (`accessTokenLifetime`). */
function lifetimeOf(answer: Fields): { tokenLifetime?: number } {
  const token = answer.get('access_token');
  if (!token) return {};
  const lifetime = accessTokenLifetime(positive(answer.get('expires_in')), token);
  return lifetime !== undefined ? { tokenLifetime: lifetime } : {};
}

/**
 * A token answer's outcome. A 2xx that holds neither a token nor an error could not be read
 * (cut short, or not JSON): no client can act on it, so it is transient like a 5xx, as the
 * lab records its own cut-short answers.
 */
function tokenOutcomeOf(status: number, answer: Fields): string {
  const outcome = outcomeOf(status, answer);
  if (outcome === 'success' && !answer.get('access_token')) return 'truncated_response';
  return outcome;
}

function outcomeOf(status: number, answer: Fields): string {
  const error = answer.get('error');
  if (error) return error;
  if (status === 0) return 'connection_failed';
  if (status >= 500) return 'server_error';
  if (answer.get('access_token') || (status >= 200 && status < 300)) return 'success';
  return 'error';
}

function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : undefined;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function headerOf(headers: HttpExchange['requestHeaders'], name: string): string | undefined {
  return headers.find(([key]) => key === name)?.[1];
}

/** The credential in `Authorization: Bearer …` (or GitHub's `token …`), fingerprinted. */
/**
 * Headers that present an access token to the resource it was issued for: `Authorization`, and
 * the AWS SSO portal's `x-amz-sso_bearer_token`. A token there is its use, not a leak.
 */
export const BEARER_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-amz-sso_bearer_token',
]);

function bearerOf(headers: HttpExchange['requestHeaders']): Fingerprint | undefined {
  const value = headerOf(headers, 'authorization');
  const match = value ? /^(?:bearer|token)\s+(\S+)\s*$/i.exec(value) : null;
  if (match?.[1]) return new Secret(match[1]).fingerprint;
  // The AWS SSO portal takes the access token in a header of its own.
  const sso = headerOf(headers, 'x-amz-sso_bearer_token')?.trim();
  return sso ? new Secret(sso).fingerprint : undefined;
}

/** The top-level string fields of a form or JSON body (numbers as text). */
type Fields = Map<string, string>;

/**
 * AWS SSO OIDC's camelCase members (rest-json: `grantType`, `deviceCode`, `accessToken`, …),
 * read under their RFC 6749 / RFC 8628 names, so an IAM Identity Center capture is judged like
 * any other.
 */
const CAMEL_CASE_NAMES: readonly (readonly [string, string])[] = [
  ['grantType', 'grant_type'],
  ['deviceCode', 'device_code'],
  ['userCode', 'user_code'],
  ['clientId', 'client_id'],
  ['accessToken', 'access_token'],
  ['refreshToken', 'refresh_token'],
  ['idToken', 'id_token'],
  ['expiresIn', 'expires_in'],
  ['verificationUri', 'verification_uri'],
];

function formOrJson(body: string | undefined, contentType: string | undefined): Fields {
  const fields: Fields = new Map();
  if (!body) return fields;
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{') || /json/i.test(contentType ?? '')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) {
          if (typeof value === 'string') fields.set(key, value);
          else if (typeof value === 'number') fields.set(key, String(value));
        }
      }
    } catch {
      // not JSON after all
    }
    for (const [camel, rfc] of CAMEL_CASE_NAMES)
      if (!fields.has(rfc) && fields.has(camel)) fields.set(rfc, fields.get(camel) as string);
    return fields;
  }
  if (/^[\w.%+-]+=/.test(trimmed)) {
    for (const [key, value] of new URLSearchParams(body)) fields.set(key, value);
  }
  return fields;
}

/**
 * Every credential-like value a request carries: query values, header values (and the token
 * of an `Authorization` header), form fields and JSON strings at any depth. Fingerprints only.
 */
function carriedBy(
  exchange: HttpExchange,
  url: URL | undefined,
  table: FingerprintTable | undefined,
): Observation['carried'] {
  const found = new Map<string, Observation['carried'][number]>();
  const add = (value: string, where: 'url' | 'header' | 'body', header?: string) => {
    const trimmed = value.trim();
    if (trimmed.length < MIN_CREDENTIAL_LENGTH) return;
    const fingerprint = internIn(table, new Secret(trimmed).fingerprint);
    const key = `${fingerprint}\0${where}\0${header ?? ''}`;
    if (!found.has(key)) found.set(key, { fingerprint, where, ...(header && { header }) });
  };
  for (const [, value] of url?.searchParams ?? []) add(value, 'url');
  for (const [name, value] of exchange.requestHeaders) {
    if (PLAIN_HEADERS.has(name)) continue;
    add(value, 'header', name);
    for (const word of value.split(/[\s,;]+/)) add(word, 'header', name);
  }
  const body = exchange.requestBody;
  if (body) {
    const trimmed = body.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        walkStrings(JSON.parse(body), (value) => add(value, 'body'));
      } catch {
        // not JSON
      }
    } else if (/^[\w.%+-]+=/.test(trimmed)) {
      for (const [, value] of new URLSearchParams(body)) add(value, 'body');
    }
  }
  return [...found.values()];
}

/**
 * Request headers that carry no credential in any client we know of (content negotiation,
 * caching, fetch metadata, sizes): not fingerprinted. A HAR of a browsing session has them on
 * every entry, and their fingerprints were most of what `analyze` held per unrelated request.
 * Cookies, `Authorization`, `Referer` (a URL with a query) and every custom header still are.
 */
const PLAIN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'dnt',
  'host',
  'if-modified-since',
  'origin',
  'pragma',
  'priority',
  'sec-ch-ua',
  'sec-ch-ua-mobile',
  'sec-ch-ua-platform',
  'sec-fetch-dest',
  'sec-fetch-mode',
  'sec-fetch-site',
  'sec-fetch-user',
  'te',
  'upgrade-insecure-requests',
  'user-agent',
]);

/**
 * One string per distinct fingerprint within one capture (`observe`'s caller keeps the table
 * for the file it reads): the same cookie or header value on thousands of entries is then one
 * string, not thousands. Bounded: past the limit, new fingerprints are kept as they are.
 */
export type FingerprintTable = Map<Fingerprint, Fingerprint>;
const MAX_INTERNED = 200_000;
function internIn(table: FingerprintTable | undefined, fingerprint: Fingerprint): Fingerprint {
  if (!table) return fingerprint;
  const known = table.get(fingerprint);
  if (known) return known;
  if (table.size < MAX_INTERNED) table.set(fingerprint, fingerprint);
  return fingerprint;
}

function walkStrings(value: unknown, visit: (text: string) => void, depth = 0): void {
  if (depth > 32) return;
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) walkStrings(item, visit, depth + 1);
  else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) walkStrings(item, visit, depth + 1);
  }
}
