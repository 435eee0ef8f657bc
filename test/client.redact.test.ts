// redact() and createRedactingLogger(), gitleaks style: every rule has samples it must mask
// and samples it must leave alone, each with a one-line reason.
import { describe, expect, it } from 'vitest';
import { createRedactingLogger, redact, TOKEN_FORMATS } from '../src/client/index.ts';

const JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xIiwic3ViIjoidSJ9.MEUCIQDc5Xh8Yw-kPq_5mS0xT1lAbc';
const DEVICE_CODE = 'GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS';

/** [input, secret that must be gone, reason]. */
const MASKED: [string, string, string][] = [
  [`token ${JWT} here`, JWT, 'a bare JWS in prose'],
  [
    'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ..48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ',
    '5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A',
    'a JWE with an empty encrypted key (dir)',
  ],
  ['Authorization: Bearer mF_9.B5f-4.1JqM', 'mF_9.B5f-4.1JqM', 'RFC 6750 §2.1 example header'],
  [
    'authorization: bearer abcdefgh12345678',
    'abcdefgh12345678',
    'scheme names are case-insensitive',
  ],
  [
    'Authorization: DPoP Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU',
    'Kz~8mXK1EalYznwH',
    'RFC 9449 DPoP-bound token',
  ],
  [
    'Authorization: Basic ZGV2aWNlYm91bmQ6czNjcjN0',
    'ZGV2aWNlYm91bmQ6czNjcjN0',
    'client credentials',
  ],
  [
    'Authorization: token 0123456789abcdef0123456789abcdef01234567',
    '0123456789abcdef0123456789abcdef01234567',
    "GitHub's token scheme",
  ],
  [
    `grant_type=urn%3Aietf&device_code=${DEVICE_CODE}&client_id=cli`,
    DEVICE_CODE,
    'a poll form body',
  ],
  [
    `https://api.example.com/v1?access_token=${DEVICE_CODE}#x`,
    DEVICE_CODE,
    'a token in a URL query',
  ],
  [
    'refresh_token=dbrt_Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXhxdXV4',
    'dbrt_Zm9v',
    'the lab refresh token in a form',
  ],
  [`{"device_code":"${DEVICE_CODE}","interval":5}`, DEVICE_CODE, 'a device authorization answer'],
  [`{ "access_token" : "opaque-value-1234" }`, 'opaque-value-1234', 'JSON with spaces'],
  [
    `{"log":"{\\"refresh_token\\":\\"rt-9f8e7d6c5b4a\\"}"}`,
    'rt-9f8e7d6c5b4a',
    'JSON escaped inside JSON',
  ],
  ['user_code: WDJB-MJHT', 'WDJB-MJHT', 'a user code in a log line, outside the prompt'],
  ['access_token: opaque0123456789', 'opaque0123456789', 'YAML / key: value text'],
  ['client_secret=s3cr3t', 's3cr3t', 'a client secret in a form'],
  [
    'code=SplxlOBeZQQYbYS6WxSbIA&state=xyz',
    'SplxlOBeZQQYbYS6WxSbIA',
    'an authorization code (RFC 6749 §4.1.2)',
  ],
  [
    'token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token',
    '45ghiukldjahdnhzdauz',
    'RFC 7009 revocation form',
  ],
  [
    'ghp_0123456789abcdefghijABCDEFGHIJ012345 pushed',
    'ghp_0123456789abcdefghij',
    'GitHub classic PAT',
  ],
  [
    'gho_16C7e42F292c6912E7710c838347Ae178B4a',
    'gho_16C7e42F292c6912E7710c838347Ae178B4a',
    'GitHub OAuth token (device flow)',
  ],
  [
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS',
    'github_pat_11ABCDEFG',
    'GitHub fine-grained PAT',
  ],
  ['glpat-xxxxXXXXxxxx12345678', 'glpat-xxxxXXXXxxxx12345678', 'GitLab PAT'],
  [
    'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    'xoxb-123456789012',
    'Slack bot token',
  ],
  ['ya29.a0AfH6SMBx-abcdefghijklmnopqrstuvwxyz', 'ya29.a0AfH6SMBx', 'Google OAuth access token'],
  ['1//0gabcdefghijklmnopqrstuvwxyz0123456789', '1//0gabcdefghijklmnop', 'Google refresh token'],
  ['npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm_abcdefghijklmnop', 'npm access token'],
  ['AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE', 'AWS access key id'],
  ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'Stripe secret key'],
  [
    'hf_abcdefghijklmnopqrstuvwxyzABCDEF',
    'hf_abcdefghijklmnopqrstuvwxyzABCDEF',
    'Hugging Face token',
  ],
  [
    'pypi-AgEIcHlwaS5vcmcCJDkwNzYwNzU1LWMwOTUtNGNkOC1iYjQzLTU3OWNhZjI1NDQ1MwACJXsicGVybWlzc2lvbnMiOiAidXNlciJ9',
    'pypi-AgEIcHlwaS5vcmcCJDkw',
    'PyPI upload token (a macaroon)',
  ],
  [
    'ATATT3xFfGF0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789_-=aBcDeFgHiJkLmNoPq=12AB34CD',
    'ATATT3xFfGF0aBcDeFgH',
    'Atlassian API token',
  ],
  [
    'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD',
    'sk-proj-abcdefghijklmnop',
    'OpenAI project key',
  ],
  ['shpat_0123456789abcdef0123456789abcdef', 'shpat_0123456789abcdef', 'Shopify admin token'],
];

/** [input, reason]: must come out unchanged. */
const UNCHANGED: [string, string][] = [
  ['open https://example.com/device and enter WDJB-MJHT', 'the prompt itself is not a leak'],
  ['process exited with code=1', 'a short generic code= is an exit code, not a secret'],
  ['the token expired; sign in again', '"token" in prose'],
  ['WWW-Authenticate: Bearer realm="example"', 'a challenge, not a credential'],
  ['eyJhbGciOiJIUzI1NiJ9 alone', 'a lone base64url JSON header is not a token'],
  ['xghp_0123456789abcdefghijABCDEFGHIJ012345', 'a GitHub prefix inside a longer word'],
  ['expires_in=600&interval=5', 'numbers of the device flow'],
  ['{"error":"authorization_pending"}', 'an OAuth error answer'],
  ['scope=openid%20profile', 'scopes are not secret'],
];

describe('redact', () => {
  it.each(MASKED)('masks %s', (input, secret) => {
    const output = redact(input);
    expect(output).not.toContain(secret);
    expect(output).toMatch(/\[REDACTED/);
  });

  it.each(UNCHANGED)('leaves %s alone', (input) => {
    expect(redact(input)).toBe(input);
  });

  it('keeps the shape of what it masks', () => {
    expect(redact(`device_code=${DEVICE_CODE}&client_id=cli`)).toBe(
      'device_code=[REDACTED]&client_id=cli',
    );
    expect(redact(`{"access_token":"${JWT}","token_type":"Bearer"}`)).toBe(
      '{"access_token":"[REDACTED]","token_type":"Bearer"}',
    );
    expect(redact(`Authorization: Bearer ${JWT}`)).toBe('Authorization: Bearer [REDACTED]');
    expect(redact(`got ${JWT}`)).toBe('got [REDACTED:jwt]');
  });

  it('masks exact values no pattern knows, longest first, ignoring tiny ones', () => {
    expect(
      redact('a opaque-xyz and opaque-xyz-2', { values: ['opaque-xyz', 'opaque-xyz-2', 'a'] }),
    ).toBe('a [REDACTED] and [REDACTED]');
  });

  it('every token format has a sample above', () => {
    const names = new Set(TOKEN_FORMATS.map((format) => format.name));
    for (const name of names) {
      if (name === 'devicebound' || name === 'jwt') continue;
      const sampled = MASKED.some(([input]) => redact(input).includes(`[REDACTED:${name}]`));
      expect(sampled, name).toBe(true);
    }
  });
});

describe('createRedactingLogger', () => {
  it('redacts strings, objects by key, and errors with their causes', () => {
    const lines: string[] = [];
    const log = createRedactingLogger({
      prefix: 'cli: ',
      level: 'debug',
      write: (line, level) => lines.push(`${level} ${line}`),
    });
    log.debug('poll', { device_code: 'opaque', nested: { access_token: 'x', ok: 1 } });
    log.info(`sending device_code=${DEVICE_CODE}`);
    const cause = new Error(`token answer was ${JWT}`);
    log.error(Object.assign(new Error('sign-in failed', { cause }), { code: 'E_X' }));
    expect(lines).toEqual([
      'debug cli: poll {"device_code":"[REDACTED]","nested":{"access_token":"[REDACTED]","ok":1}}',
      'info cli: sending device_code=[REDACTED]',
      'error cli: Error [E_X]: sign-in failed (cause: Error: token answer was [REDACTED:jwt])',
    ]);
  });

  it('drops lines below its level, handles cycles, and asks for extra values at every line', () => {
    const lines: string[] = [];
    let secret = 'first-secret';
    const log = createRedactingLogger({
      write: (line) => lines.push(line),
      values: () => [secret],
    });
    log.debug('hidden');
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    log.warn(cyclic, 'first-secret');
    secret = 'second-secret';
    log.info('second-secret first-secret');
    expect(lines).toEqual([
      '{"name":"loop","self":"[Circular]"} [REDACTED]',
      '[REDACTED] first-secret',
    ]);
  });
});
