// The GitHub and Microsoft dialects over real HTTP: each provider's endpoints and error shapes,
// mapped onto the one lab state so the trace (what the checks read) is the same as in the
// generic dialect. Requests go to the lab's port with the played host in the Host header, as
// the egress proxy hands them over.
import { request } from 'node:http';
import { crc32 } from 'node:zlib';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { type Lab, type LabOptions, type RequestEvent, startLab } from '../src/lab/index.ts';
import { sleep } from './helpers.ts';

const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.close()));
});

async function lab(options: LabOptions): Promise<Lab> {
  const started = await startLab({ interval: 1, approveAfter: null, ...options });
  labs.push(started);
  return started;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/** One request to the lab as `host` would get it. */
function call(
  started: Lab,
  host: string,
  method: string,
  path: string,
  options: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(started.issuer);
  const body = options.form
    ? new URLSearchParams(options.form).toString()
    : options.json !== undefined
      ? JSON.stringify(options.json)
      : undefined;
  const headers: Record<string, string> = { host, ...options.headers };
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: () => JSON.parse(text) as Record<string, unknown>,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
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
