// The Microsoft identity platform dialect (Entra ID v2.0 endpoints), mapped onto the lab's one
// RFC 8628 state (flows.ts) so every check works unchanged. Shapes from Microsoft's "OAuth 2.0
// device authorization grant" and "Microsoft identity platform ID tokens" documentation, and
// from what MSAL (Python 1.21, Node) and azure-cli 2.45 send and read:
//
// - instance discovery `GET /common/discovery/instance` (MSAL asks for unknown authorities, and
//   azure-cli's account lookup asks for it on login.microsoftonline.com);
// - `GET /{tenant}/v2.0/.well-known/openid-configuration`;
// - `POST /{tenant}/oauth2/v2.0/devicecode`, whose answer also carries `message`;
// - `POST /{tenant}/oauth2/v2.0/token`: errors are HTTP 400 with `error_description` starting
//   `AADSTS<code>:`, `error_codes`, `trace_id`, `correlation_id`; a denial is
//   `authorization_declined`; msal-node's short `grant_type=device_code` is accepted; the
//   refresh_token grant works (MSAL refreshes per tenant right after sign-in);
// - tokens: a v1 ARM-style JWT access token, an ID token with `preferred_username`, `oid`, `tid`,
//   `client_info` (base64url `{uid, utid}`), refresh tokens in Entra's `0.A…` / `.Ag…` shape;
// - a minimal Azure Resource Manager (`/tenants`, `/subscriptions`) and Microsoft Graph `/me`.
import { randomBytes, randomUUID } from 'node:crypto';
import { DIALECT_HOSTS } from '../../evidence/names.ts';
import type { Fingerprint } from '../../evidence/secret.ts';
import { newJti } from '../canaries.ts';
import type { Exchange, Handler, LabContext, Reply, Route } from '../context.ts';
import { json } from '../context.ts';
import { acceptAccessToken } from '../endpoints/resource.ts';
import {
  DEVICE_CODE_GRANT,
  pollDeviceCode,
  presentedRefreshGrant,
  startDeviceAuthorization,
} from '../flows.ts';
import { E, OAuthError, parseForm, readBody, required } from '../http.ts';
import { parseScope } from '../scope.ts';
import { recordAccessToken, recordIdToken, recordRefreshToken } from '../tokens.ts';
import { bearerOf } from './params.ts';
import type { Dialect } from './types.ts';

/** Entra's name and AADSTS code for each RFC error the lab raises. */
const ENTRA_ERRORS: Record<string, { error: string; code: number; text: string }> = {
  authorization_pending: {
    error: 'authorization_pending',
    code: 70016,
    text: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
  },
  // Entra documents no slow_down of its own; the lab sends the RFC error with the pending code.
  slow_down: {
    error: 'slow_down',
    code: 70016,
    text: 'OAuth 2.0 device flow error. Polling too fast: slow down.',
  },
  access_denied: {
    error: 'authorization_declined',
    code: 65004,
    text: 'User declined to consent to access the app.',
  },
  expired_token: { error: 'expired_token', code: 70019, text: 'Verification code expired.' },
  invalid_grant: { error: 'invalid_grant', code: 70000, text: 'The provided grant is invalid.' },
  invalid_client: {
    error: 'unauthorized_client',
    code: 700016,
    text: 'Application was not found in the directory of the lab tenant.',
  },
  invalid_request: { error: 'invalid_request', code: 900144, text: 'The request is not valid.' },
  invalid_scope: { error: 'invalid_scope', code: 70011, text: 'The provided scope is not valid.' },
  unsupported_grant_type: {
    error: 'unsupported_grant_type',
    code: 70003,
    text: 'The app requested an unsupported grant type.',
  },
  unauthorized_client: {
    error: 'unauthorized_client',
    code: 700016,
    text: 'The client may not use this grant.',
  },
};

const LOGIN_HOST = 'login.microsoftonline.com';
const USERNAME = 'devicebound-user@lab.devicebound.example';

/** One lab's directory: a tenant, a user and a subscription, fresh per lab. */
interface Directory {
  tenantId: string;
  objectId: string;
  subscriptionId: string;
}

export const microsoft: Dialect = {
  name: 'microsoft',
  defaultHosts: DIALECT_HOSTS.microsoft,
  routes() {
    const directory: Directory = {
      tenantId: randomUUID(),
      objectId: randomUUID(),
      subscriptionId: randomUUID(),
    };
    const login = loginRoutes(directory);
    const arm = armRoutes(directory);
    const graph = graphRoutes(directory);
    return (host, path) => {
      if (host === 'management.azure.com' || host.startsWith('management.')) return arm(path);
      if (host === 'graph.microsoft.com' || host.startsWith('graph.')) return graph(path);
      return login(path);
    };
  },
};

// ── login.microsoftonline.com ───────────────────────────────────────────────────────────────

const TENANT = /^\/([A-Za-z0-9._-]{1,100})(\/.*)$/;

function loginRoutes(directory: Directory): (path: string) => Route | undefined {
  const discovery: Route = { endpoint: 'discovery', methods: { GET: instanceDiscovery } };
  const configuration: Route = {
    endpoint: 'metadata',
    methods: { GET: (_, exchange) => openidConfiguration(exchange, directory) },
  };
  const devicecode: Route = { endpoint: 'device_authorization', methods: { POST: deviceCode } };
  const token: Route = {
    endpoint: 'token',
    methods: { POST: (context, exchange) => tokenEndpoint(context, exchange, directory) },
  };
  return (path) => {
    if (path === '/common/discovery/instance') return discovery;
    const match = TENANT.exec(path);
    if (!match) return undefined;
    switch (match[2]) {
      case '/v2.0/.well-known/openid-configuration':
        return configuration;
      case '/oauth2/v2.0/devicecode':
        return devicecode;
      case '/oauth2/v2.0/token':
        return token;
      default:
        return undefined;
    }
  };
}

/** The tenant segment of a login path (`organizations`, `common`, a GUID, a domain). */
function tenantOf(exchange: Exchange): string {
  return TENANT.exec(exchange.url.pathname)?.[1] ?? 'common';
}

const instanceDiscovery: Handler = (_, exchange) => {
  const endpoint = exchange.url.searchParams.get('authorization_endpoint') ?? '';
  const tenant = /^https:\/\/[^/]+\/([^/]+)\//.exec(endpoint)?.[1] ?? 'common';
  return json({
    tenant_discovery_endpoint: `https://${LOGIN_HOST}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [
      {
        preferred_network: LOGIN_HOST,
        preferred_cache: 'login.windows.net',
        aliases: [LOGIN_HOST, 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
      },
    ],
  });
};

function openidConfiguration(exchange: Exchange, directory: Directory): Reply {
  const tenant = tenantOf(exchange);
  const base = `https://${LOGIN_HOST}/${tenant}`;
  // Multi-tenant authorities publish a templated issuer; a tenant's own names its GUID.
  const issuerTenant = ['common', 'organizations', 'consumers'].includes(tenant)
    ? '{tenantid}'
    : directory.tenantId;
  return json({
    issuer: `https://${LOGIN_HOST}/${issuerTenant}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nbf',
      'name',
      'oid',
      'tid',
      'preferred_username',
    ],
    tenant_region_scope: 'WW',
    cloud_instance_name: 'microsoftonline.com',
  });
}

const deviceCode: Handler = async (context, exchange) =>
  entra(exchange, async () => {
    const form = parseForm(exchange.request, await readBody(exchange.request));
    const clientId = knownClient(context, form);
    const scope = parseScope(form.get('scope'));
    const { authorization, userCode } = startDeviceAuthorization(context, exchange, {
      clientId,
      scope,
    });
    const verificationUri = 'https://microsoft.com/devicelogin';
    return json({
      user_code: userCode,
      device_code: authorization.deviceCode.reveal(),
      verification_uri: verificationUri,
      expires_in: context.settings.expiresIn,
      interval: context.settings.interval,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  });

async function tokenEndpoint(
  context: LabContext,
  exchange: Exchange,
  directory: Directory,
): Promise<Reply> {
  return entra(exchange, async () => {
    const form = parseForm(exchange.request, await readBody(exchange.request));
    const wire = required(form, 'grant_type');
    // msal-node sends the short `device_code`; the trace keeps the RFC name for the checks.
    const grantType = wire === 'device_code' ? DEVICE_CODE_GRANT : wire;
    exchange.event.grantType = grantType;
    if (wire !== grantType) exchange.event.wireGrantType = wire;
    const clientId = knownClient(context, form);
    const withClientInfo = form.get('client_info') === '1';

    if (grantType === DEVICE_CODE_GRANT) {
      const code = form.get('device_code') ?? form.get('code');
      if (!code) throw E.invalidRequest("missing parameter 'device_code'");
      const result = pollDeviceCode(context, exchange, { clientId, code });
      if (result === 'pending') throw E.authorizationPending();
      if (result.kind === 'fault') return result;
      return json(
        await mintEntraTokens(context, exchange, directory, {
          clientId,
          scope: result.authorization.scope,
          deviceCode: result.authorization.deviceCode.fingerprint,
          clientInfo: withClientInfo,
        }),
      );
    }
    if (grantType === 'refresh_token') {
      const value = required(form, 'refresh_token');
      const requested = parseScope(form.get('scope'));
      exchange.event.scope = requested;
      const grant = presentedRefreshGrant(context, exchange, { clientId, value });
      // Entra keeps a refresh token valid after it is used (no rotation reuse detection), and
      // lets it be redeemed for any scope the user consented to: the lab allows the original
      // scopes, the reserved OIDC ones, and the same resource's `.default`.
      const granted = new Set(grant.scope.split(' '));
      const allowed = (scope: string) =>
        granted.has(scope) ||
        RESERVED.has(scope) ||
        [...granted].some((g) => sameResource(g, scope));
      if (!requested.split(' ').every((scope) => scope === '' || allowed(scope)))
        throw E.invalidScope('a refresh may not ask for scopes beyond the original grant');
      return json(
        await mintEntraTokens(context, exchange, directory, {
          clientId,
          scope: requested || grant.scope,
          deviceCode: grant.family,
          clientInfo: withClientInfo,
        }),
      );
    }
    throw E.unsupportedGrantType('grant_type must be device_code or refresh_token');
  });
}

const RESERVED = new Set(['openid', 'profile', 'offline_access', 'email']);

/** `https://x/.default` and `https://x/user_impersonation` name the same resource. */
function sameResource(a: string, b: string): boolean {
  const resource = (scope: string) => scope.replace(/\/[^/]*$/, '/');
  return a.includes('/') && b.includes('/') && resource(a) === resource(b);
}

/** Writes an Entra answer: success as is; OAuth errors as HTTP 400 with AADSTS fields. */
async function entra(exchange: Exchange, work: () => Promise<Reply>): Promise<Reply> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof OAuthError) || error.status >= 500 || error.status === 413) throw error;
    const entry = ENTRA_ERRORS[error.error] ?? {
      error: error.error,
      code: 90000,
      text: error.description,
    };
    if (entry.error !== error.error) exchange.event.wireError = entry.error;
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      kind: 'json',
      status: 400,
      outcome: error.error,
      body: {
        error: entry.error,
        error_description: `AADSTS${entry.code}: ${entry.text} (devicebound lab: ${error.description})\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
        error_codes: [entry.code],
        timestamp: timestamp.replace('T', ' '),
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `https://${LOGIN_HOST}/error?code=${entry.code}`,
      },
    };
  }
}

function knownClient(context: LabContext, form: Map<string, string>): string {
  const clientId = form.get('client_id');
  if (!clientId) throw E.invalidRequest("missing parameter 'client_id'");
  if (clientId !== context.settings.clientId) throw E.invalidClient('unknown client_id');
  return clientId;
}

/**
 * A token response as Entra gives it. Every credential is a fresh canary linked to the device
 * authorization, like the generic dialect's.
 */
async function mintEntraTokens(
  context: LabContext,
  exchange: Exchange,
  directory: Directory,
  grant: { clientId: string; scope: string; deviceCode: Fingerprint; clientInfo: boolean },
): Promise<Record<string, unknown>> {
  const { settings, keys } = context;
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = Math.ceil((Date.now() + settings.tokenTtl * 1000) / 1000);
  const scopes = grant.scope.split(' ').filter((s) => s !== '' && !RESERVED.has(s));
  const resourceScope = scopes.find((s) => s.includes('/'));
  // `https://management.core.windows.net//.default` is the resource
  // `https://management.core.windows.net/` and the scope `.default`.
  const audience = resourceScope
    ? resourceScope.replace(/\/[^/]*$/, '')
    : 'https://graph.microsoft.com';
  const issuer = `https://sts.windows.net/${directory.tenantId}/`;
  const jti = newJti();
  const accessValue = await keys.sign(
    {
      aud: audience,
      iss: issuer,
      nbf: now,
      appid: grant.clientId,
      oid: directory.objectId,
      tid: directory.tenantId,
      upn: USERNAME,
      scp: scopes.map((s) => s.replace(/^.*\//, '')).join(' ') || 'User.Read',
      uti: jti,
      ver: '1.0',
    },
    'JWT',
    expiresAt,
  );
  recordAccessToken(context, exchange, grant, {
    value: accessValue,
    format: 'jwt',
    typ: 'JWT',
    issuer,
    audience,
    jti,
    subject: directory.objectId,
  });

  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: scopes.join(' '),
    expires_in: settings.tokenTtl,
    ext_expires_in: settings.tokenTtl,
    access_token: accessValue,
  };
  if (settings.issueRefreshTokens && grant.scope.split(' ').includes('offline_access')) {
    body.refresh_token = recordRefreshToken(
      context,
      exchange,
      grant,
      newEntraRefreshToken(),
      directory.objectId,
    );
  }
  if (grant.scope.split(' ').includes('openid')) {
    const idValue = await keys.sign(
      {
        aud: grant.clientId,
        iss: `https://${LOGIN_HOST}/${directory.tenantId}/v2.0`,
        nbf: now,
        name: 'devicebound lab user',
        oid: directory.objectId,
        preferred_username: USERNAME,
        sub: randomBytes(32).toString('base64url').slice(0, 43),
        tid: directory.tenantId,
        uti: newJti(),
        ver: '2.0',
      },
      'JWT',
      expiresAt,
    );
    recordIdToken(context, exchange, grant, idValue);
    body.id_token = idValue;
  }
  if (grant.clientInfo) {
    body.client_info = Buffer.from(
      JSON.stringify({ uid: directory.objectId, utid: directory.tenantId }),
    ).toString('base64url');
  }
  return body;
}

/**
 * Entra's refresh token shape: `0.A` and a first segment of tens of characters (tenant and
 * client), then `.AgABAAEAAAD` and a long segment, then a short last one.
 */
export function newEntraRefreshToken(): string {
  const part = (bytes: number) => randomBytes(bytes).toString('base64url');
  return `0.A${part(60).slice(0, 78)}.AgABAAEAAAD${part(300).slice(0, 390)}.${part(60).slice(0, 72)}`;
}

// ── management.azure.com and graph.microsoft.com ────────────────────────────────────────────

/** Runs a resource handler with the bearer token checked; a bad one gets ARM's 401. */
function resource(directory: Directory, work: (exchange: Exchange) => unknown): Handler {
  return async (context, exchange) => {
    exchange.event.endpoint = 'resource';
    const unauthorized = (outcome: string): Reply => ({
      kind: 'json',
      status: 401,
      outcome,
      body: {
        error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' },
      },
      headers: {
        'www-authenticate': `Bearer authorization_uri="https://login.windows.net/${directory.tenantId}", error="invalid_token", error_description="The access token is invalid."`,
      },
    });
    const token = bearerOf(exchange.request, /^Bearer$/i);
    if (!token) return unauthorized('invalid_request');
    try {
      await acceptAccessToken(context, exchange, token);
    } catch (error) {
      if (error instanceof OAuthError) return unauthorized(error.error);
      throw error;
    }
    return json(work(exchange));
  };
}

function armRoutes(directory: Directory): (path: string) => Route | undefined {
  const tenant = {
    id: `/tenants/${directory.tenantId}`,
    tenantId: directory.tenantId,
    countryCode: 'ZZ',
    displayName: 'devicebound lab tenant',
    domains: ['lab.devicebound.example'],
    tenantCategory: 'Home',
    defaultDomain: 'lab.devicebound.example',
    tenantType: 'AAD',
  };
  const subscription = {
    id: `/subscriptions/${directory.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: directory.subscriptionId,
    tenantId: directory.tenantId,
    displayName: 'devicebound lab subscription',
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
  const tenants: Route = {
    endpoint: 'resource',
    methods: { GET: resource(directory, () => ({ value: [tenant] })) },
  };
  const subscriptions: Route = {
    endpoint: 'resource',
    methods: {
      GET: resource(directory, () => ({
        count: { type: 'Total', value: 1 },
        value: [subscription],
      })),
    },
  };
  const one: Route = {
    endpoint: 'resource',
    methods: { GET: resource(directory, () => subscription) },
  };
  return (path) => {
    const clean = path.replace(/\/+$/, '') || '/';
    if (clean === '/tenants') return tenants;
    if (clean === '/subscriptions') return subscriptions;
    if (clean.toLowerCase() === `/subscriptions/${directory.subscriptionId}`) return one;
    return undefined;
  };
}

function graphRoutes(directory: Directory): (path: string) => Route | undefined {
  const me: Route = {
    endpoint: 'resource',
    methods: {
      GET: resource(directory, () => ({
        id: directory.objectId,
        displayName: 'devicebound lab user',
        userPrincipalName: USERNAME,
        mail: null,
      })),
    },
  };
  const userinfo: Route = {
    endpoint: 'resource',
    methods: {
      GET: resource(directory, () => ({
        sub: directory.objectId,
        name: 'devicebound lab user',
        email: USERNAME,
      })),
    },
  };
  return (path) =>
    path === '/v1.0/me' || path === '/beta/me'
      ? me
      : path === '/oidc/userinfo'
        ? userinfo
        : undefined;
}
