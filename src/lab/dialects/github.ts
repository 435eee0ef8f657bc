// The GitHub dialect: GitHub's OAuth device flow and the corner of its API that CLIs touch
// after signing in, mapped onto the lab's one RFC 8628 state (flows.ts), so every check works
// unchanged. Shapes from GitHub's "Authorizing OAuth apps" documentation (device flow section)
// and from what `gh` and `@octokit/auth-oauth-device` send and parse.
//
// - `POST /login/device/code` and `POST /login/oauth/access_token` take a form or JSON and
//   answer form-encoded unless `Accept: application/json`.
// - Device-flow errors come with HTTP 200; `slow_down` carries the new `interval`.
// - Access tokens are `gho_` + 30 base62 characters + a 6-character base62 CRC32 checksum, the
//   shape secret scanners verify; no refresh or ID token (an OAuth app without expiring tokens).
// - The API answers on `api.<host>` and, Enterprise-style, under `/api/v3` and `/api/graphql`.
import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { DIALECT_HOSTS } from '../../evidence/names.ts';
import { newJti } from '../canaries.ts';
import type { Exchange, Handler, LabContext, Reply, Route } from '../context.ts';
import { json } from '../context.ts';
import { acceptAccessToken } from '../endpoints/resource.ts';
import { DEVICE_CODE_GRANT, pollDeviceCode, startDeviceAuthorization } from '../flows.ts';
import { E, OAuthError, readBody } from '../http.ts';
import { LAB_SUBJECT, recordAccessToken, type TokenGrant } from '../tokens.ts';
import { bearerOf, parseParams, wantsJson } from './params.ts';
import type { Dialect } from './types.ts';

const ERROR_URI =
  'https://docs.github.com/developers/apps/building-oauth-apps/authorizing-oauth-apps#error-codes-for-the-device-flow';

/** GitHub's names for the RFC errors it renames. */
const GITHUB_ERRORS: Record<string, string> = {
  invalid_client: 'incorrect_client_credentials',
  invalid_grant: 'incorrect_device_code',
};

const LOGIN = 'devicebound-user';
const USER_ID = 4_242_4242;

export const github: Dialect = {
  name: 'github',
  defaultHosts: DIALECT_HOSTS.github,
  routes({ verification }) {
    const login = new Map<string, Route>([
      ...LOGIN_ROUTES,
      // The verification page, where a person can approve by hand (`serve --dialect github`).
      [
        '/login/device',
        {
          endpoint: 'verification',
          methods: { GET: verification.show, POST: verification.submit },
        },
      ],
      [
        '/device',
        {
          endpoint: 'verification',
          methods: { GET: verification.show, POST: verification.submit },
        },
      ],
    ]);
    return (host, path) => {
      if (host.startsWith('api.')) return API.get(path);
      if (path.startsWith('/api/v3/')) return API.get(path.slice('/api/v3'.length));
      if (path === '/api/v3') return API.get('/');
      if (path === '/api/graphql') return API.get('/graphql');
      return login.get(path);
    };
  },
};

// ── The device flow on github.com ───────────────────────────────────────────────────────────

const deviceCode: Handler = async (context, exchange) =>
  answer(exchange, async () => {
    const params = parseParams(exchange.request, await readBody(exchange.request));
    const clientId = knownClient(context, params);
    const scope = githubScope(params.get('scope'));
    const { authorization, userCode } = startDeviceAuthorization(context, exchange, {
      clientId,
      scope,
    });
    return {
      device_code: authorization.deviceCode.reveal(),
      user_code: userCode,
      verification_uri: `${baseUrl(exchange)}/login/device`,
      expires_in: context.settings.expiresIn,
      interval: context.settings.interval,
    };
  });

const accessToken: Handler = async (context, exchange) =>
  answer(exchange, async () => {
    const params = parseParams(exchange.request, await readBody(exchange.request));
    const grantType = params.get('grant_type');
    if (grantType !== undefined) exchange.event.grantType = grantType;
    if (grantType !== DEVICE_CODE_GRANT) {
      // GitHub's device flow takes only the URN; the web flow's code exchange is not played.
      throw E.unsupportedGrantType(
        'grant_type must be urn:ietf:params:oauth:grant-type:device_code',
      );
    }
    const clientId = knownClient(context, params);
    const code = params.get('device_code');
    if (!code) throw E.invalidRequest('missing parameter device_code');
    const result = pollDeviceCode(context, exchange, { clientId, code });
    if (result === 'pending') throw E.authorizationPending();
    if (result.kind === 'fault') return result;
    const { authorization } = result;
    const token = mintGithubToken(context, exchange, {
      clientId,
      scope: authorization.scope,
      deviceCode: authorization.deviceCode.fingerprint,
    });
    return {
      access_token: token,
      token_type: 'bearer',
      scope: authorization.scope.split(' ').filter(Boolean).join(','),
    };
  });

/**
 * Runs a device-flow handler and writes its answer GitHub's way: form-encoded or JSON as asked,
 * and OAuth errors with HTTP 200 (what GitHub does, and what its clients parse).
 */
async function answer(
  exchange: Exchange,
  work: () => Promise<Record<string, unknown> | Reply>,
): Promise<Reply> {
  let body: Record<string, unknown>;
  let outcome = 'success';
  try {
    const result = await work();
    if ('kind' in result && typeof result.kind === 'string') return result as Reply;
    body = result as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof OAuthError) || error.status >= 500 || error.status === 413) throw error;
    const name = GITHUB_ERRORS[error.error] ?? error.error;
    if (name !== error.error) exchange.event.wireError = name;
    outcome = error.error;
    body = { error: name, error_description: error.description, error_uri: ERROR_URI };
    if (error.interval !== undefined) body.interval = error.interval;
  }
  if (wantsJson(exchange.request)) return { kind: 'json', status: 200, body, outcome };
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) form.set(name, String(value));
  return {
    kind: 'text',
    status: 200,
    body: form.toString(),
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    outcome,
  };
}

/** GitHub OAuth apps are public clients here: client_id, no secret needed (RFC 8628 §3.1). */
function knownClient(context: LabContext, params: Map<string, string>): string {
  const clientId = params.get('client_id');
  if (!clientId) throw E.invalidClient('missing client_id');
  if (clientId !== context.settings.clientId) throw E.invalidClient('unknown client_id');
  return clientId;
}

/** GitHub takes scopes separated by spaces or commas; the lab keeps them space-separated. */
function githubScope(raw: string | undefined): string {
  if (!raw) return '';
  const scopes = raw.split(/[\s,]+/).filter(Boolean);
  for (const scope of scopes) {
    if (!/^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/.test(scope))
      throw E.invalidScope('scope contains a character GitHub does not allow');
  }
  return [...new Set(scopes)].join(' ');
}

/** `gho_` + 30 random base62 + the base62 CRC32 of the prefix and random part, 6 characters. */
export function newGithubToken(prefix = 'gho_'): string {
  const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let random = '';
  for (let i = 0; i < 30; i++) random += ALPHABET[randomInt(62)];
  let sum = crc32(random);
  let checksum = '';
  for (let i = 0; i < 6; i++) {
    checksum = (ALPHABET[sum % 62] ?? '0') + checksum;
    sum = Math.floor(sum / 62);
  }
  return `${prefix}${random}${checksum}`;
}

function mintGithubToken(context: LabContext, exchange: Exchange, grant: TokenGrant): string {
  const value = newGithubToken();
  // GitHub OAuth app tokens do not expire; the scenario's lifetime still applies in the lab,
  // so the session scenario can tell a new sign-in from a reused token.
  recordAccessToken(context, exchange, grant, {
    value,
    format: 'opaque',
    issuer: baseUrl(exchange),
    audience: baseUrl(exchange),
    jti: newJti(),
    subject: LAB_SUBJECT,
  });
  return value;
}

// ── The API ─────────────────────────────────────────────────────────────────────────────────

/** Runs an API handler with the token checked; a bad one gets GitHub's 401. */
function api(
  work: (grant: Awaited<ReturnType<typeof acceptAccessToken>>, exchange: Exchange) => unknown,
): Handler {
  return async (context, exchange) => {
    exchange.event.endpoint = 'resource';
    const token = bearerOf(exchange.request);
    const unauthorized = (outcome: string, headers?: Record<string, string>): Reply => ({
      kind: 'json',
      status: 401,
      body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' },
      outcome,
      // The RFC 6750 challenge where the lab's own answer has one (the fault scenario's 401).
      ...(headers?.['www-authenticate'] && {
        headers: { 'www-authenticate': headers['www-authenticate'] },
      }),
    });
    if (!token) return unauthorized('invalid_request');
    let grant: Awaited<ReturnType<typeof acceptAccessToken>>;
    try {
      grant = await acceptAccessToken(context, exchange, token);
    } catch (error) {
      if (error instanceof OAuthError) return unauthorized(error.error, error.headers);
      throw error;
    }
    const scopes = grant.scope.split(' ').filter(Boolean).join(', ');
    return json(await work(grant, exchange), 200, {
      'x-oauth-scopes': scopes,
      'x-accepted-oauth-scopes': '',
      'x-github-media-type': 'github.v3; format=json',
    });
  };
}

function user(exchange: Exchange): Record<string, unknown> {
  const base = baseUrl(exchange);
  const apiBase = base.replace('://', '://api.');
  return {
    login: LOGIN,
    id: USER_ID,
    node_id: 'U_kgDOAkc0Ug',
    type: 'User',
    site_admin: false,
    name: 'devicebound lab user',
    email: null,
    html_url: `${base}/${LOGIN}`,
    url: `${apiBase}/users/${LOGIN}`,
  };
}

/**
 * Answers `viewer { … }` with exactly the fields asked for: gh decodes GraphQL strictly, so a
 * field it did not ask for fails its login. Anything else gets GraphQL's error shape.
 */
async function graphql(exchange: Exchange): Promise<unknown> {
  const body = await readBody(exchange.request);
  let query = '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { query?: unknown };
    if (typeof parsed.query === 'string') query = parsed.query;
  } catch {
    return { errors: [{ message: 'Problems parsing JSON' }] };
  }
  const fields = viewerFields(query);
  if (!fields) return { errors: [{ message: 'the devicebound lab answers only viewer { … }' }] };
  const values: Record<string, unknown> = {
    login: LOGIN,
    id: 'U_kgDOAkc0Ug',
    databaseId: USER_ID,
    name: 'devicebound lab user',
    email: '',
    __typename: 'User',
  };
  return { data: { viewer: Object.fromEntries(fields.map((f) => [f, values[f] ?? null])) } };
}

/** The scalar fields selected directly under `viewer { … }`, or `undefined` without one. */
export function viewerFields(query: string): string[] | undefined {
  const start = /\bviewer\s*\{/.exec(query);
  if (!start) return undefined;
  const fields: string[] = [];
  let depth = 1;
  const tokens = query.slice(start.index + start[0].length).match(/[A-Za-z_][A-Za-z0-9_]*|[{}()]/g);
  let skipArgs = 0;
  for (const token of tokens ?? []) {
    if (token === '(') skipArgs += 1;
    else if (token === ')') skipArgs -= 1;
    else if (skipArgs > 0) continue;
    else if (token === '{') depth += 1;
    else if (token === '}') {
      depth -= 1;
      if (depth === 0) break;
    } else if (depth === 1 && !fields.includes(token)) fields.push(token);
  }
  return fields;
}

function baseUrl(exchange: Exchange): string {
  const host = (exchange.request.headers.host ?? 'github.com').toLowerCase();
  const scheme = (exchange.request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${scheme}://${host.replace(/^api\./, '')}`;
}

const LOGIN_ROUTES = new Map<string, Route>([
  ['/login/device/code', { endpoint: 'device_authorization', methods: { POST: deviceCode } }],
  ['/login/oauth/access_token', { endpoint: 'token', methods: { POST: accessToken } }],
]);

const API = new Map<string, Route>([
  [
    '/',
    {
      endpoint: 'resource',
      methods: {
        GET: api((_, exchange) => ({
          current_user_url: `${baseUrl(exchange).replace('://', '://api.')}/user`,
        })),
      },
    },
  ],
  ['/user', { endpoint: 'resource', methods: { GET: api((_, exchange) => user(exchange)) } }],
  [
    '/graphql',
    { endpoint: 'resource', methods: { POST: api((_, exchange) => graphql(exchange)) } },
  ],
]);
