// The GitHub, Microsoft and AWS dialects over real HTTP: each provider's endpoints and error shapes,
// mapped onto the one lab state so the trace (what the checks read) is the same as in the
// generic dialect. Requests go to the lab's port with the played host in the Host header, as
// the egress proxy hands them over.
import { crc32 } from 'node:zlib';
import aws4 from 'aws4';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { type Lab, type LabOptions, type RequestEvent, startLab } from '../src/lab/index.ts';
import { sleep } from './helpers.ts';
import { callPlayedHost as call } from './played-host.ts';

const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.close()));
});

async function lab(options: LabOptions): Promise<Lab> {
  const started = await startLab({ interval: 1, approveAfter: null, ...options });
  labs.push(started);
  return started;
}

const requests = (started: Lab) =>
  started.trace.events.filter((e): e is RequestEvent => e.type === 'request');

describe('github dialect', () => {
  const GH = '178c6fc778ccc68e1d6a';
  const github = () =>
    lab({ dialect: 'github', hosts: ['github.com', 'api.github.com'], clientId: GH });

  it('device code: form in, form out by default and JSON when asked; scopes by space or comma', async () => {
    const started = await github();
    const form = await call(started, 'github.com', 'POST', '/login/device/code', {
      form: { client_id: GH, scope: 'repo read:org gist' },
    });
    expect(form.status).toBe(200);
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const fields = new URLSearchParams(form.text);
    expect(fields.get('user_code')).toMatch(/^[B-Z]{4}-[B-Z]{4}$/);
    expect(fields.get('verification_uri')).toBe('http://github.com/login/device');
    expect(fields.get('interval')).toBe('1');
    const json = await call(started, 'github.com', 'POST', '/login/device/code', {
      json: { client_id: GH, scope: 'repo,gist' },
      headers: { accept: 'application/json' },
    });
    expect(json.json()).toMatchObject({ interval: 1, expires_in: 600 });
    expect(requests(started).map((e) => [e.endpoint, e.dialect, e.host, e.scope])).toEqual([
      ['device_authorization', 'github', 'github.com', 'repo read:org gist'],
      ['device_authorization', 'github', 'github.com', 'repo gist'],
    ]);
  });

  it('answers device-flow errors with HTTP 200 in GitHub names; the trace keeps the RFC outcome', async () => {
    const started = await github();
    const accept = { accept: 'application/json' };
    const code = (
      await call(started, 'github.com', 'POST', '/login/device/code', {
        form: { client_id: GH, scope: 'repo' },
        headers: accept,
      })
    ).json().device_code as string;
    const poll = (form: Record<string, string>) =>
      call(started, 'github.com', 'POST', '/login/oauth/access_token', { form, headers: accept });
    const grant = 'urn:ietf:params:oauth:grant-type:device_code';
    const pending = await poll({ client_id: GH, device_code: code, grant_type: grant });
    expect(pending.status).toBe(200);
    expect(pending.json()).toMatchObject({
      error: 'authorization_pending',
      error_uri: expect.stringContaining('docs.github.com'),
    });
    const early = await poll({ client_id: GH, device_code: code, grant_type: grant });
    expect(early.json()).toMatchObject({ error: 'slow_down', interval: 6 });
    const unknown = await poll({ client_id: GH, device_code: 'nope', grant_type: grant });
    expect(unknown.json()).toMatchObject({ error: 'incorrect_device_code' });
    const wrongClient = await poll({ client_id: 'other', device_code: code, grant_type: grant });
    expect(wrongClient.json()).toMatchObject({ error: 'incorrect_client_credentials' });
    const wrongGrant = await poll({
      client_id: GH,
      device_code: code,
      grant_type: 'authorization_code',
    });
    expect(wrongGrant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect(
      requests(started)
        .slice(1)
        .map((e) => [e.status, e.outcome, e.wireError]),
    ).toEqual([
      [200, 'authorization_pending', undefined],
      [200, 'slow_down', undefined],
      [200, 'invalid_grant', 'incorrect_device_code'],
      [200, 'invalid_client', 'incorrect_client_credentials'],
      [200, 'unsupported_grant_type', undefined],
    ]);
  });

  it('issues a gho_ token with a valid CRC32 checksum; the API answers /user, / and exactly the GraphQL fields asked', async () => {
    const started = await github();
    const device = new URLSearchParams(
      (
        await call(started, 'github.com', 'POST', '/login/device/code', {
          form: { client_id: GH, scope: 'repo gist' },
        })
      ).text,
    );
    started.approve(device.get('user_code') ?? '');
    const token = new URLSearchParams(
      (
        await call(started, 'github.com', 'POST', '/login/oauth/access_token', {
          form: {
            client_id: GH,
            device_code: device.get('device_code') ?? '',
            grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          },
        })
      ).text,
    );
    const value = token.get('access_token') ?? '';
    expect(value).toMatch(/^gho_[0-9A-Za-z]{36}$/);
    expect(token.get('scope')).toBe('repo,gist');
    expect(token.get('refresh_token')).toBeNull();
    // GitHub's checksum: base62 CRC32 of the random part, 6 characters, left-padded.
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let sum = crc32(value.slice(4, 34));
    let checksum = '';
    for (let i = 0; i < 6; i++) {
      checksum = alphabet[sum % 62] + checksum;
      sum = Math.floor(sum / 62);
    }
    expect(value.slice(34)).toBe(checksum);

    const auth = { authorization: `token ${value}` };
    const user = await call(started, 'api.github.com', 'GET', '/user', { headers: auth });
    expect(user.status).toBe(200);
    expect(user.headers['x-oauth-scopes']).toBe('repo, gist');
    expect(user.json()).toMatchObject({ login: 'devicebound-user' });
    const root = await call(started, 'api.github.com', 'GET', '/', {
      headers: { authorization: `Bearer ${value}` },
    });
    expect(root.status).toBe(200);
    const gql = await call(started, 'api.github.com', 'POST', '/graphql', {
      headers: auth,
      json: { query: 'query UserCurrent{viewer{login,databaseId}}' },
    });
    expect(gql.json()).toEqual({
      data: { viewer: { login: 'devicebound-user', databaseId: 42424242 } },
    });
    const enterprise = await call(started, 'github.com', 'GET', '/api/v3/user', { headers: auth });
    expect(enterprise.status).toBe(200);
    const bad = await call(started, 'api.github.com', 'GET', '/user', {
      headers: { authorization: 'token gho_nope' },
    });
    expect(bad.status).toBe(401);
    expect(bad.json()).toMatchObject({ message: 'Bad credentials' });
    expect(
      requests(started)
        .slice(2)
        .map((e) => [e.endpoint, e.outcome, e.presented.length]),
    ).toEqual([
      ['resource', 'success', 1],
      ['resource', 'success', 1],
      ['resource', 'success', 1],
      ['resource', 'success', 1],
      ['resource', 'invalid_token', 1],
    ]);
  });
});

describe('microsoft dialect', () => {
  const AZ = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
  const LOGIN = 'login.microsoftonline.com';
  const microsoft = (options: LabOptions = {}) =>
    lab({
      dialect: 'microsoft',
      hosts: [LOGIN, 'management.azure.com', 'graph.microsoft.com'],
      clientId: AZ,
      ...options,
    });
  const SCOPE = 'https://management.core.windows.net//.default offline_access openid profile';

  it('instance discovery and the tenant metadata point at the v2.0 endpoints', async () => {
    const started = await microsoft();
    const discovery = await call(
      started,
      LOGIN,
      'GET',
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent('https://login.microsoftonline.com/common/oauth2/authorize')}`,
    );
    expect(discovery.json()).toMatchObject({
      tenant_discovery_endpoint: `https://${LOGIN}/common/v2.0/.well-known/openid-configuration`,
      metadata: [expect.objectContaining({ preferred_network: LOGIN })],
    });
    const config = await call(
      started,
      LOGIN,
      'GET',
      '/organizations/v2.0/.well-known/openid-configuration',
    );
    expect(config.json()).toMatchObject({
      issuer: `https://${LOGIN}/{tenantid}/v2.0`,
      token_endpoint: `https://${LOGIN}/organizations/oauth2/v2.0/token`,
      device_authorization_endpoint: `https://${LOGIN}/organizations/oauth2/v2.0/devicecode`,
    });
    expect(requests(started).map((e) => e.endpoint)).toEqual(['discovery', 'metadata']);
  });

  it('device code with message; AADSTS errors with HTTP 400; declined maps to access_denied; short grant type', async () => {
    const started = await microsoft({ scenario: 'deny' });
    const device = (
      await call(started, LOGIN, 'POST', '/organizations/oauth2/v2.0/devicecode', {
        form: { client_id: AZ, scope: SCOPE },
      })
    ).json();
    expect(device.message).toContain(device.user_code as string);
    expect(device.verification_uri).toBe('https://microsoft.com/devicelogin');
    const poll = (grantType: string) =>
      call(started, LOGIN, 'POST', '/organizations/oauth2/v2.0/token', {
        form: {
          client_id: AZ,
          device_code: device.device_code as string,
          grant_type: grantType,
          client_info: '1',
        },
      });
    const pending = await poll('urn:ietf:params:oauth:grant-type:device_code');
    expect(pending.status).toBe(400);
    expect(pending.json()).toMatchObject({
      error: 'authorization_pending',
      error_codes: [70016],
      error_description: expect.stringMatching(/^AADSTS70016: /),
      trace_id: expect.any(String),
      correlation_id: expect.any(String),
    });
    started.deny(device.user_code as string);
    await sleep(1050);
    const declined = await poll('device_code');
    expect(declined.json()).toMatchObject({ error: 'authorization_declined' });
    const polls = requests(started).filter((e) => e.endpoint === 'token');
    expect(polls.map((e) => [e.grantType, e.wireGrantType, e.outcome, e.wireError])).toEqual([
      [
        'urn:ietf:params:oauth:grant-type:device_code',
        undefined,
        'authorization_pending',
        undefined,
      ],
      [
        'urn:ietf:params:oauth:grant-type:device_code',
        'device_code',
        'access_denied',
        'authorization_declined',
      ],
    ]);
  });

  it('tokens as MSAL needs them; a refresh per tenant; ARM and Graph with the access token', async () => {
    const started = await microsoft();
    const device = (
      await call(started, LOGIN, 'POST', '/organizations/oauth2/v2.0/devicecode', {
        form: { client_id: AZ, scope: SCOPE },
      })
    ).json();
    started.approve(device.user_code as string);
    const tokens = (
      await call(started, LOGIN, 'POST', '/organizations/oauth2/v2.0/token', {
        form: {
          client_id: AZ,
          device_code: device.device_code as string,
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_info: '1',
        },
      })
    ).json();
    const id = decodeJwt(tokens.id_token as string);
    expect(id).toMatchObject({
      aud: AZ,
      preferred_username: expect.any(String),
      oid: expect.any(String),
      tid: expect.any(String),
    });
    const info = JSON.parse(
      Buffer.from(tokens.client_info as string, 'base64url').toString('utf8'),
    );
    expect(info).toEqual({ uid: id.oid, utid: id.tid });
    expect(tokens.refresh_token).toMatch(/^0\.A[\w-]{20,}\.AgABAAEAAAD[\w-]{100,}\.[\w-]+$/);
    expect(decodeJwt(tokens.access_token as string)).toMatchObject({
      aud: 'https://management.core.windows.net/',
      tid: id.tid,
    });

    const arm = { authorization: `Bearer ${tokens.access_token}` };
    const tenants = (
      await call(started, 'management.azure.com', 'GET', '/tenants?api-version=2022-12-01', {
        headers: arm,
      })
    ).json();
    expect(tenants).toMatchObject({ value: [{ tenantId: id.tid }] });
    const refreshed = await call(started, LOGIN, 'POST', `/${id.tid}/oauth2/v2.0/token`, {
      form: {
        client_id: AZ,
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token as string,
        scope: SCOPE,
        client_info: '1',
      },
    });
    expect(refreshed.status).toBe(200);
    const subscriptions = await call(
      started,
      'management.azure.com',
      'GET',
      '/subscriptions?api-version=2022-12-01',
      {
        headers: { authorization: `Bearer ${refreshed.json().access_token}` },
      },
    );
    expect(subscriptions.json()).toMatchObject({ value: [{ state: 'Enabled', tenantId: id.tid }] });
    const me = await call(started, 'graph.microsoft.com', 'GET', '/v1.0/me', { headers: arm });
    expect(me.json()).toMatchObject({ id: id.oid });
    const bad = await call(started, 'management.azure.com', 'GET', '/subscriptions', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer authorization_uri=/);
    expect(
      requests(started)
        .filter((e) => e.endpoint === 'token')
        .map((e) => e.grantType),
    ).toEqual(['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
  });
});

describe('aws dialect', () => {
  const OIDC = 'oidc.us-east-1.amazonaws.com';
  const PORTAL = 'portal.sso.us-east-1.amazonaws.com';
  const STS = 'sts.us-east-1.amazonaws.com';
  const aws = (options: LabOptions = {}) =>
    lab({ dialect: 'aws', hosts: [OIDC, PORTAL, STS, 'sts.amazonaws.com'], ...options });

  /** RegisterClient, then StartDeviceAuthorization, as botocore's SSOTokenFetcher does. */
  async function signIn(started: Lab, scopes?: string[]) {
    const registered = await call(started, OIDC, 'POST', '/client/register', {
      json: { clientName: 'botocore-client-lab', clientType: 'public', scopes },
    });
    expect(registered.status).toBe(200);
    const client = registered.json() as { clientId: string; clientSecret: string };
    const device = (
      await call(started, OIDC, 'POST', '/device_authorization', {
        json: { ...client, startUrl: 'https://devicebound-lab.awsapps.com/start' },
      })
    ).json() as { deviceCode: string; userCode: string; verificationUriComplete: string };
    const poll = (extra: Record<string, string> = {}) =>
      call(started, OIDC, 'POST', '/token', {
        json: {
          ...client,
          grantType: 'urn:ietf:params:oauth:grant-type:device_code',
          deviceCode: device.deviceCode,
          ...extra,
        },
      });
    return { client, device, poll };
  }

  it('SSO OIDC in rest-json: exceptions in x-amzn-ErrorType as botocore reads them, RFC outcomes in the trace', async () => {
    const started = await aws();
    const { client, device, poll } = await signIn(started, ['sso:account:access']);
    expect(device.verificationUriComplete).toBe(
      `https://device.sso.us-east-1.amazonaws.com/?user_code=${device.userCode}`,
    );
    const pending = await poll();
    expect(pending.status).toBe(400);
    expect(pending.headers['x-amzn-errortype']).toBe('AuthorizationPendingException');
    expect(pending.json()).toMatchObject({ error: 'authorization_pending' });
    // At once again, as the AWS CLI's second poll comes: too soon, so slow_down.
    const tooSoon = await poll();
    expect(tooSoon.headers['x-amzn-errortype']).toBe('SlowDownException');
    const wrongSecret = await poll({ clientSecret: 'not-the-secret' });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers['x-amzn-errortype']).toBe('InvalidClientException');
    const notPublic = await call(started, OIDC, 'POST', '/client/register', {
      json: { clientName: 'x', clientType: 'confidential' },
    });
    expect(notPublic.headers['x-amzn-errortype']).toBe('InvalidRequestException');
    const notJson = await call(started, OIDC, 'POST', '/token', { form: { a: 'b' } });
    expect([notJson.status, notJson.headers['x-amzn-errortype']]).toEqual([
      400,
      'InvalidRequestException',
    ]);

    const events = requests(started);
    expect(
      events.map((e) => [e.endpoint, e.operation, e.outcome, e.wireError ?? null, e.dialect]),
    ).toEqual([
      ['registration', 'RegisterClient', 'success', null, 'aws'],
      ['device_authorization', 'StartDeviceAuthorization', 'success', null, 'aws'],
      ['token', 'CreateToken', 'authorization_pending', 'AuthorizationPendingException', 'aws'],
      ['token', 'CreateToken', 'slow_down', 'SlowDownException', 'aws'],
      ['token', 'CreateToken', 'invalid_client', 'InvalidClientException', 'aws'],
      ['registration', 'RegisterClient', 'invalid_request', 'InvalidRequestException', 'aws'],
      ['token', 'CreateToken', 'invalid_request', 'InvalidRequestException', 'aws'],
    ]);
    // The registration's scopes are what the device authorization asked for.
    expect(events[1]?.scope).toBe('sso:account:access');
    expect(events[1]?.clientId).toBe(client.clientId);
    const secret = events[0]?.issued.find((ref) => ref.kind === 'client_secret');
    expect(secret).toBeDefined();
    expect(events[1]?.presented).toEqual([secret]);
    expect(JSON.stringify(started.trace.events)).not.toContain(client.clientSecret);
  });

  it('tokens, role credentials at the portal, and STS for a request SigV4-signed with them (by aws4, not by the lab)', async () => {
    const started = await aws();
    const { client, device, poll } = await signIn(started, ['sso:account:access']);
    started.approve(device.userCode);
    const token = (await poll()).json() as { accessToken: string; refreshToken?: string };
    expect(token.accessToken).toMatch(/^aoaAAAAAG[\w-]{150,}:MGUCM/);
    expect(token.refreshToken).toMatch(/^aorAAAAAG/);

    const portal = (path: string, bearer?: string) =>
      call(started, PORTAL, 'GET', path, {
        headers: bearer ? { 'x-amz-sso_bearer_token': bearer } : {},
      });
    expect((await portal('/federation/credentials?role_name=X&account_id=1')).status).toBe(401);
    const wrong = await portal(
      '/federation/credentials?role_name=DeviceboundLabRole&account_id=999999999999',
      token.accessToken,
    );
    expect([wrong.status, wrong.headers['x-amzn-errortype']]).toEqual([
      404,
      'ResourceNotFoundException',
    ]);
    const roles = await portal('/assignment/roles?account_id=111122223333', token.accessToken);
    expect(roles.json()).toEqual({
      roleList: [{ roleName: 'DeviceboundLabRole', accountId: '111122223333' }],
    });
    const { roleCredentials: keys } = (
      await portal(
        '/federation/credentials?role_name=DeviceboundLabRole&account_id=111122223333',
        token.accessToken,
      )
    ).json() as {
      roleCredentials: {
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken: string;
        expiration: number;
      };
    };
    expect(keys.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(keys.expiration).toBeGreaterThan(Date.now());

    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const sts = (credentials: {
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
    }) => {
      const signed = aws4.sign(
        {
          host: STS,
          path: '/',
          method: 'POST',
          service: 'sts',
          region: 'us-east-1',
          body,
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        },
        credentials,
      );
      const headers = Object.fromEntries(
        Object.entries(signed.headers ?? {}).map(([name, value]) => [name, String(value)]),
      );
      return call(started, STS, 'POST', '/', { headers, body });
    };
    const identity = await sts(keys);
    expect(identity.status).toBe(200);
    expect(identity.text).toMatch(
      /<Arn>arn:aws:sts::111122223333:assumed-role\/AWSReservedSSO_DeviceboundLabRole_[0-9a-f]{16}\/devicebound-user<\/Arn>/,
    );
    const forged = await sts({ ...keys, secretAccessKey: `${keys.secretAccessKey}x` });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    const unknown = await sts({
      accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
      secretAccessKey: keys.secretAccessKey,
      sessionToken: keys.sessionToken,
    });
    expect(unknown.text).toContain('<Code>InvalidClientTokenId</Code>');

    // The refresh grant, with the client's secret, as botocore's SSOTokenProvider sends it.
    const refreshed = await call(started, OIDC, 'POST', '/token', {
      json: { ...client, grantType: 'refresh_token', refreshToken: token.refreshToken },
    });
    expect(refreshed.json()).toMatchObject({ accessToken: expect.stringMatching(/^aoa/) });

    const events = requests(started);
    const credentials = events.find(
      (e) => e.operation === 'GetRoleCredentials' && e.status === 200,
    );
    const issued = credentials?.issued.filter((ref) => ref.kind === 'cloud_key') ?? [];
    expect(issued).toHaveLength(3);
    const call1 = events.find((e) => e.operation === 'GetCallerIdentity' && e.status === 200);
    // The key id and the session token are presented; the secret key only signs.
    expect(call1?.endpoint).toBe('resource');
    expect(call1?.presented).toEqual([issued[0], issued[2]]);
    expect(
      events.filter((e) => e.operation === 'GetCallerIdentity').map((e) => e.wireError ?? null),
    ).toEqual([null, 'SignatureDoesNotMatch', 'InvalidClientTokenId']);
    expect(events.at(-1)).toMatchObject({ grantType: 'refresh_token', outcome: 'success' });
    const trace = JSON.stringify(started.trace.events);
    for (const value of [keys.secretAccessKey, keys.sessionToken, token.accessToken])
      expect(trace).not.toContain(value);
  });

  it('no refresh token for a client registered without scopes (the legacy profile form)', async () => {
    const started = await aws();
    const { device, poll } = await signIn(started);
    started.approve(device.userCode);
    const token = (await poll()).json();
    expect(token.accessToken).toBeDefined();
    expect(token.refreshToken).toBeUndefined();
  });
});
