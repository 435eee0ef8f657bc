// The AWS IAM Identity Center dialect, mapped onto the lab's one RFC 8628 state (flows.ts) so
// every check works unchanged. Shapes from the AWS CLI v2's own service models and code
// (botocore `data/sso-oidc/2019-06-10`, `data/sso/2019-06-10`, `data/sts/2011-06-15`,
// `parsers.py` RestJSONParser, `utils.py` SSOTokenFetcher, `tokens.py` SSOTokenProvider):
//
// - SSO OIDC on `oidc.<region>.amazonaws.com`, rest-json with camelCase bodies, unsigned:
//   `POST /client/register` (RegisterClient: a public client and its secret, which the CLI
//   caches), `POST /device_authorization` (StartDeviceAuthorization: the client's id and secret
//   and the start URL; the scopes are the registration's), `POST /token` (CreateToken, the
//   device_code and refresh_token grants, the client's secret on every call);
// - errors are HTTP 400 (401 for a bad client) with the exception in `x-amzn-ErrorType`, which
//   is where botocore's RestJSONParser reads the error code from, and a body `{error,
//   error_description}` (the members the model gives every SSO OIDC exception);
// - the SSO portal on `portal.sso.<region>.amazonaws.com`: the access token in the
//   `x-amz-sso_bearer_token` header; `GET /federation/credentials` (GetRoleCredentials) answers
//   role credentials, `GET /assignment/accounts` and `/assignment/roles` lists, `POST /logout`;
// - STS (`sts.<region>.amazonaws.com`, `sts.amazonaws.com`): `GetCallerIdentity` in the query
//   protocol's XML, for a request signed (SigV4) with keys the portal issued.
import { randomBytes, randomUUID } from 'node:crypto';
import { DIALECT_HOSTS } from '../../evidence/names.ts';
import type { Fingerprint } from '../../evidence/secret.ts';
import { fingerprint, type Secret } from '../../evidence/secret.ts';
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
import { E, OAuthError, parseForm, readBody } from '../http.ts';
import { recordAccessToken, recordRefreshToken } from '../tokens.ts';
import { jsonObject } from './params.ts';
import { parseSigV4, verifySigV4 } from './sigv4.ts';
import type { Dialect } from './types.ts';

/** The one region the lab plays (its hosts are in `DIALECT_HOSTS.aws`). */
export const AWS_LAB_REGION = 'us-east-1';
/** The account the lab's user is assigned to (the 12-digit example account of AWS's docs). */
export const AWS_LAB_ACCOUNT = '111122223333';
/** The permission set the lab's user has in that account. */
export const AWS_LAB_ROLE = 'DeviceboundLabRole';

/** SSO OIDC's exception, and its HTTP status, for each RFC error the lab raises. */
const OIDC_EXCEPTIONS: Record<string, { exception: string; status: number }> = {
  authorization_pending: { exception: 'AuthorizationPendingException', status: 400 },
  slow_down: { exception: 'SlowDownException', status: 400 },
  expired_token: { exception: 'ExpiredTokenException', status: 400 },
  access_denied: { exception: 'AccessDeniedException', status: 400 },
  invalid_grant: { exception: 'InvalidGrantException', status: 400 },
  invalid_client: { exception: 'InvalidClientException', status: 401 },
  invalid_request: { exception: 'InvalidRequestException', status: 400 },
  invalid_scope: { exception: 'InvalidScopeException', status: 400 },
  unsupported_grant_type: { exception: 'UnsupportedGrantTypeException', status: 400 },
  unauthorized_client: { exception: 'UnauthorizedClientException', status: 400 },
};

/** A client RegisterClient made. */
interface Registration {
  clientId: string;
  secret: Secret;
  scopes: string[];
}

/** Role credentials GetRoleCredentials issued (all three values are canaries). */
interface RoleSession {
  secretAccessKey: string;
  sessionToken: string;
  /** Lab time (ms) they stop working. */
  expiresAt: number;
  roleName: string;
  family: Fingerprint;
}

/** One lab's Identity Center: its registered clients and the role credentials it issued. */
interface Directory {
  instance: string;
  userId: string;
  /** The role's unique id (`AROA…`), as STS names it in `UserId`. */
  roleId: string;
  clients: Map<string, Registration>;
  keys: Map<string, RoleSession>;
}

export const aws: Dialect = {
  name: 'aws',
  defaultHosts: DIALECT_HOSTS.aws,
  routes() {
    const directory: Directory = {
      instance: `ssoins-${randomBytes(8).toString('hex')}`,
      userId: randomUUID(),
      roleId: `AROA${base32(17)}`,
      clients: new Map(),
      keys: new Map(),
    };
    const oidc = oidcRoutes(directory);
    const portal = portalRoutes(directory);
    const sts = stsRoutes(directory);
    return (host, path) => {
      if (host.startsWith('oidc.')) return oidc.get(path);
      if (host.startsWith('portal.sso.')) return portal.get(path);
      if (host.startsWith('sts.')) return sts.get(path);
      return undefined;
    };
  },
};

// ── SSO OIDC ────────────────────────────────────────────────────────────────────────────────

function oidcRoutes(directory: Directory): Map<string, Route> {
  const route = (
    endpoint: Route['endpoint'],
    operation: string,
    work: (context: LabContext, exchange: Exchange, body: JsonBody) => Promise<Reply> | Reply,
  ): Route => ({
    endpoint,
    methods: {
      POST: (context, exchange) =>
        oidcAnswer(exchange, operation, async () =>
          work(context, exchange, await jsonBody(exchange)),
        ),
    },
  });
  return new Map<string, Route>([
    [
      '/client/register',
      route('registration', 'RegisterClient', (context, exchange, body) =>
        registerClient(context, exchange, directory, body),
      ),
    ],
    [
      '/device_authorization',
      route('device_authorization', 'StartDeviceAuthorization', (context, exchange, body) =>
        startAuthorization(context, exchange, directory, body),
      ),
    ],
    [
      '/token',
      route('token', 'CreateToken', (context, exchange, body) =>
        createToken(context, exchange, directory, body),
      ),
    ],
  ]);
}

/** A rest-json request body: a JSON object (botocore sends one even when it is empty). */
type JsonBody = Record<string, unknown>;

async function jsonBody(exchange: Exchange): Promise<JsonBody> {
  const body = await readBody(exchange.request);
  return body.length === 0 ? {} : jsonObject(body);
}

function member(body: JsonBody, name: string): string;
function member(body: JsonBody, name: string, optional: true): string | undefined;
function member(body: JsonBody, name: string, optional?: true): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw E.invalidRequest(`missing member '${name}'`);
  }
  if (typeof value !== 'string' || value === '')
    throw E.invalidRequest(`member '${name}' must be a non-empty string`);
  return value;
}

/** Writes an SSO OIDC answer: success as is; OAuth errors as the SDK's modelled exceptions. */
async function oidcAnswer(
  exchange: Exchange,
  operation: string,
  work: () => Promise<Reply>,
): Promise<Reply> {
  exchange.event.operation = operation;
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof OAuthError) || error.status >= 500 || error.status === 413) throw error;
    const entry = OIDC_EXCEPTIONS[error.error] ?? {
      exception: 'InvalidRequestException',
      status: 400,
    };
    exchange.event.wireError = entry.exception;
    return {
      kind: 'json',
      status: entry.status,
      outcome: error.error,
      body: { error: error.error, error_description: error.description },
      headers: { 'x-amzn-errortype': entry.exception, 'x-amzn-requestid': randomUUID() },
    };
  }
}

function registerClient(
  context: LabContext,
  exchange: Exchange,
  directory: Directory,
  body: JsonBody,
): Reply {
  member(body, 'clientName');
  if (member(body, 'clientType') !== 'public')
    throw E.invalidRequest("clientType must be 'public'");
  const scopes = body.scopes === undefined ? [] : body.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && /^\S+$/.test(s)))
    throw E.invalidScope('scopes must be a list of scope names');
  // Ids as SSO OIDC makes them: opaque base64url, the region at the end.
  const clientId = `${randomBytes(16).toString('base64url')}${Buffer.from(AWS_LAB_REGION).toString('base64url')}`;
  const secret = context.issue('client_secret', newClientSecret(directory));
  directory.clients.set(clientId, { clientId, secret, scopes: scopes as string[] });
  exchange.event.clientId = clientId;
  exchange.event.scope = (scopes as string[]).join(' ');
  exchange.event.issued.push({ kind: 'client_secret', fingerprint: secret.fingerprint });
  const now = Math.floor(Date.now() / 1000);
  return json({
    clientId,
    clientSecret: secret.reveal(),
    clientIdIssuedAt: now,
    clientSecretExpiresAt: now + 90 * 24 * 3600,
  });
}

/** The client a call names, checked against the secret it presents (recorded as presented). */
function registeredClient(exchange: Exchange, directory: Directory, body: JsonBody): Registration {
  const clientId = member(body, 'clientId');
  const secret = member(body, 'clientSecret');
  exchange.event.clientId = clientId;
  const registration = directory.clients.get(clientId);
  exchange.event.presented.push({
    kind: 'client_secret',
    fingerprint:
      registration?.secret.reveal() === secret
        ? registration.secret.fingerprint
        : fingerprint(secret),
  });
  if (!registration) throw E.invalidClient('the client is not registered');
  if (registration.secret.reveal() !== secret)
    throw E.invalidClient('the client secret does not match');
  return registration;
}

function startAuthorization(
  context: LabContext,
  exchange: Exchange,
  directory: Directory,
  body: JsonBody,
): Reply {
  const registration = registeredClient(exchange, directory, body);
  member(body, 'startUrl');
  const { authorization, userCode } = startDeviceAuthorization(context, exchange, {
    clientId: registration.clientId,
    scope: registration.scopes.join(' '),
  });
  const verificationUri = `https://device.sso.${AWS_LAB_REGION}.amazonaws.com/`;
  return json({
    deviceCode: authorization.deviceCode.reveal(),
    userCode,
    verificationUri,
    verificationUriComplete: `${verificationUri}?user_code=${userCode}`,
    expiresIn: context.settings.expiresIn,
    interval: context.settings.interval,
  });
}

async function createToken(
  context: LabContext,
  exchange: Exchange,
  directory: Directory,
  body: JsonBody,
): Promise<Reply> {
  const registration = registeredClient(exchange, directory, body);
  const grantType = member(body, 'grantType');
  exchange.event.grantType = grantType;
  if (grantType === DEVICE_CODE_GRANT) {
    const code = member(body, 'deviceCode');
    const result = pollDeviceCode(context, exchange, { clientId: registration.clientId, code });
    if (result === 'pending') throw E.authorizationPending();
    if (result.kind === 'fault') return result;
    return json(
      mintTokens(context, exchange, directory, registration, {
        clientId: registration.clientId,
        scope: result.authorization.scope,
        deviceCode: result.authorization.deviceCode.fingerprint,
      }),
    );
  }
  if (grantType === 'refresh_token') {
    const value = member(body, 'refreshToken');
    const grant = presentedRefreshGrant(context, exchange, {
      clientId: registration.clientId,
      value,
    });
    exchange.event.scope = grant.scope;
    return json(
      mintTokens(context, exchange, directory, registration, {
        clientId: registration.clientId,
        scope: grant.scope,
        deviceCode: grant.family,
      }),
      200,
    );
  }
  throw E.unsupportedGrantType('grantType must be the device_code URN or refresh_token');
}

/**
 * CreateToken's answer. The tokens are opaque, in the shape AWS's own examples and caches show
 * (`aoa…`/`aor…`, a base64url body and a `:`-separated signature), so a scanner that knows
 * them sees the lab's canaries as it would real ones. A refresh token only when the client
 * registered scopes (the sso-session form), as the service does.
 */
function mintTokens(
  context: LabContext,
  exchange: Exchange,
  directory: Directory,
  registration: Registration,
  grant: { clientId: string; scope: string; deviceCode: Fingerprint },
): Record<string, unknown> {
  const accessToken = opaqueToken('aoa');
  recordAccessToken(context, exchange, grant, {
    value: accessToken,
    format: 'opaque',
    issuer: `https://identitycenter.amazonaws.com/${directory.instance}`,
    audience: grant.clientId,
    jti: newJti(),
    subject: directory.userId,
  });
  const body: Record<string, unknown> = {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: context.settings.tokenTtl,
  };
  if (context.settings.issueRefreshTokens && registration.scopes.length > 0)
    body.refreshToken = recordRefreshToken(
      context,
      exchange,
      grant,
      opaqueToken('aor'),
      directory.userId,
    );
  return body;
}

function opaqueToken(prefix: 'aoa' | 'aor'): string {
  const body = randomBytes(prefix === 'aoa' ? 150 : 225).toString('base64url');
  const signature = randomBytes(66).toString('base64');
  return `${prefix}AAAAAG${body}:MGUCM${signature}`;
}

/** A client secret as SSO OIDC gives them: a signed (HS384) JWT naming the client. */
function newClientSecret(directory: Directory): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ kid: `key-${Math.floor(Date.now() / 1000)}`, alg: 'HS384' });
  const payload = part({
    serialized: randomBytes(180).toString('base64'),
    instance: directory.instance,
  });
  return `${header}.${payload}.${randomBytes(48).toString('base64url')}`;
}

// ── The SSO portal ──────────────────────────────────────────────────────────────────────────

/** Runs a portal operation with the bearer token of `x-amz-sso_bearer_token` checked. */
function portalOperation(
  operation: string,
  work: (context: LabContext, exchange: Exchange, grant: { family: Fingerprint }) => Reply,
): Handler {
  return async (context, exchange) => {
    exchange.event.operation = operation;
    const unauthorized = (outcome: string, message: string): Reply => {
      exchange.event.wireError = 'UnauthorizedException';
      return {
        kind: 'json',
        status: 401,
        outcome,
        body: { message },
        headers: { 'x-amzn-errortype': 'UnauthorizedException', 'x-amzn-requestid': randomUUID() },
      };
    };
    const header = exchange.request.headers['x-amz-sso_bearer_token'];
    const token = typeof header === 'string' ? header.trim() : '';
    if (!token) return unauthorized('invalid_request', 'Session token not found or invalid');
    let grant: { family: Fingerprint };
    try {
      grant = await acceptAccessToken(context, exchange, token);
    } catch (error) {
      if (error instanceof OAuthError)
        return unauthorized(error.error, 'Session token not found or invalid');
      throw error;
    }
    return work(context, exchange, grant);
  };
}

function portalRoutes(directory: Directory): Map<string, Route> {
  const notFound = (exchange: Exchange, message: string): Reply => {
    exchange.event.wireError = 'ResourceNotFoundException';
    return {
      kind: 'json',
      status: 404,
      outcome: 'not_found',
      body: { message },
      headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
    };
  };
  const credentials = portalOperation('GetRoleCredentials', (context, exchange, grant) => {
    const roleName = exchange.url.searchParams.get('role_name') ?? '';
    const accountId = exchange.url.searchParams.get('account_id') ?? '';
    if (accountId !== AWS_LAB_ACCOUNT || roleName !== AWS_LAB_ROLE)
      return notFound(exchange, 'No access');
    const issue = (value: string) => {
      const secret = context.issue('cloud_key', value, grant.family);
      exchange.event.issued.push({ kind: 'cloud_key', fingerprint: secret.fingerprint });
      return value;
    };
    const accessKeyId = issue(`ASIA${base32(16)}`);
    const secretAccessKey = issue(randomBytes(30).toString('base64').replace(/[+/]/g, 'Z'));
    // Session tokens start with the encoded `IQoJb3JpZ2luX2Vj` ("\x21\n\torigin_ec") of real ones.
    const sessionToken = issue(`IQoJb3JpZ2luX2VjE${randomBytes(600).toString('base64')}`);
    const ttl = context.settings.tokenTtl * 1000;
    directory.keys.set(accessKeyId, {
      secretAccessKey,
      sessionToken,
      expiresAt: context.trace.now() + ttl,
      roleName,
      family: grant.family,
    });
    return json({
      roleCredentials: {
        accessKeyId,
        secretAccessKey,
        sessionToken,
        expiration: Date.now() + ttl,
      },
    });
  });
  const accounts = portalOperation('ListAccounts', () =>
    json({
      accountList: [
        {
          accountId: AWS_LAB_ACCOUNT,
          accountName: 'devicebound lab account',
          emailAddress: 'devicebound-user@lab.devicebound.example',
        },
      ],
    }),
  );
  const roles = portalOperation('ListAccountRoles', (_, exchange) =>
    exchange.url.searchParams.get('account_id') === AWS_LAB_ACCOUNT
      ? json({ roleList: [{ roleName: AWS_LAB_ROLE, accountId: AWS_LAB_ACCOUNT }] })
      : notFound(exchange, 'No access'),
  );
  const logout: Handler = async (context, exchange) => {
    exchange.event.operation = 'Logout';
    exchange.event.endpoint = 'revocation';
    const header = exchange.request.headers['x-amz-sso_bearer_token'];
    const token = typeof header === 'string' ? header.trim() : '';
    if (token) {
      exchange.event.presented.push({ kind: 'access_token', fingerprint: fingerprint(token) });
      const grant = context.store.accessTokens.get(token);
      if (grant) grant.revoked = true;
    }
    return json({});
  };
  return new Map<string, Route>([
    ['/federation/credentials', { endpoint: 'resource', methods: { GET: credentials } }],
    ['/assignment/accounts', { endpoint: 'resource', methods: { GET: accounts } }],
    ['/assignment/roles', { endpoint: 'resource', methods: { GET: roles } }],
    ['/logout', { endpoint: 'revocation', methods: { POST: logout } }],
  ]);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(length: number): string {
  return [...randomBytes(length)].map((byte) => BASE32[byte % 32]).join('');
}

// ── STS ─────────────────────────────────────────────────────────────────────────────────────

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function stsRoutes(directory: Directory): Map<string, Route> {
  const handler: Handler = (context, exchange) => sts(context, exchange, directory);
  return new Map<string, Route>([
    ['/', { endpoint: 'resource', methods: { GET: handler, POST: handler } }],
  ]);
}

function xml(status: number, outcome: string, body: string): Reply {
  return {
    kind: 'text',
    status,
    outcome,
    contentType: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
    headers: { 'x-amzn-requestid': randomUUID() },
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The query protocol's error document. */
function stsError(
  exchange: Exchange,
  status: number,
  outcome: string,
  code: string,
  message: string,
): Reply {
  exchange.event.wireError = code;
  return xml(
    status,
    outcome,
    `<ErrorResponse xmlns="${STS_NS}">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${code}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`,
  );
}

async function sts(context: LabContext, exchange: Exchange, directory: Directory): Promise<Reply> {
  const { request } = exchange;
  const body = request.method === 'POST' ? await readBody(request) : Buffer.alloc(0);
  let params: Map<string, string>;
  try {
    params =
      request.method === 'POST' && body.length > 0
        ? parseForm(request, body)
        : new Map(exchange.url.searchParams);
  } catch (error) {
    if (error instanceof OAuthError)
      return stsError(exchange, 400, 'invalid_request', 'MalformedInput', error.description);
    throw error;
  }
  const action = params.get('Action') ?? '';
  exchange.event.operation = action || '(no Action)';

  const authorization = parseSigV4(request.headers.authorization);
  if ('code' in authorization)
    return stsError(
      exchange,
      authorization.code === 'IncompleteSignature' ? 400 : 403,
      'invalid_request',
      authorization.code,
      authorization.message,
    );
  // The key id and the session token are what the program presents; the secret key never
  // travels (it signs).
  exchange.event.presented.push({
    kind: 'cloud_key',
    fingerprint: fingerprint(authorization.accessKeyId),
  });
  const sessionHeader = request.headers['x-amz-security-token'];
  const sessionToken = typeof sessionHeader === 'string' ? sessionHeader : undefined;
  if (sessionToken)
    exchange.event.presented.push({ kind: 'cloud_key', fingerprint: fingerprint(sessionToken) });
  const session = directory.keys.get(authorization.accessKeyId);
  if (!session || session.sessionToken !== sessionToken)
    return stsError(
      exchange,
      403,
      'invalid_token',
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
    );
  if (context.trace.now() >= session.expiresAt)
    return stsError(
      exchange,
      400,
      'invalid_token',
      'ExpiredToken',
      'The security token included in the request is expired',
    );
  const problem = verifySigV4(request, body, authorization, session.secretAccessKey);
  if (problem) return stsError(exchange, 403, 'invalid_token', problem.code, problem.message);
  if (action !== 'GetCallerIdentity')
    return stsError(
      exchange,
      400,
      'invalid_request',
      'InvalidAction',
      `Could not find operation ${action} for version ${params.get('Version') ?? ''}`,
    );
  const role = `AWSReservedSSO_${session.roleName}_${session.family.slice(7, 23)}`;
  return xml(
    200,
    'success',
    `<GetCallerIdentityResponse xmlns="${STS_NS}">\n  <GetCallerIdentityResult>\n    <Arn>arn:aws:sts::${AWS_LAB_ACCOUNT}:assumed-role/${escapeXml(role)}/devicebound-user</Arn>\n    <UserId>${directory.roleId}:devicebound-user</UserId>\n    <Account>${AWS_LAB_ACCOUNT}</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n`,
  );
}
