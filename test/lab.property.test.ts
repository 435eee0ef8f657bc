// Robustness of the lab against arbitrary HTTP input: thousands of random requests (methods,
// paths, content types, bodies, Authorization headers) to one lab, then the explicit "bad
// input" cases one by one. The lab must never answer 5xx unless a scenario asks for a fault,
// must answer every OAuth endpoint error as JSON with a string `error`, and must keep serving.
//
// Requests go through raw `node:http` (not fetch) so the test can send invalid UTF-8, odd
// request targets, chunked bodies and headers that fetch would refuse or rewrite.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/lab/index.ts';
import { authorizeDevice, DEVICE_CODE_GRANT, pollToken, postForm } from './helpers.ts';

const FORM = 'application/x-www-form-urlencoded';
const MAX_BODY = 64 * 1024;

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send the body with `transfer-encoding: chunked` instead of `content-length`. */
  chunked: boolean;
}

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on its own connection; rejects when the lab drops it or does not answer. */
function send(lab: Lab, raw: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(lab.issuer);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...raw.headers, connection: 'close' };
    if (raw.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(raw.body.length);
    const request = httpRequest({
      host: hostname,
      port,
      method: raw.method,
      path: raw.path,
      headers,
      agent: false,
    });
    request.setTimeout(10_000, () => request.destroy(new Error('no answer within 10 s')));
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    request.end(raw.body);
  });
}

function rawRequest(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean } = {},
): RawRequest {
  const body = options.body ?? Buffer.alloc(0);
  return {
    method,
    path,
    headers: options.headers ?? {},
    body: typeof body === 'string' ? Buffer.from(body) : body,
    chunked: options.chunked ?? false,
  };
}

/**
 * Whether the lab may route a request target to the verification page (HTML). `parseUrl` in
 * src/lab/server.ts resolves the target against a base URL, so `//host/device` counts as
 * `/device` there; either reading of the target is accepted here.
 */
function isVerificationTarget(target: string): boolean {
  if (!target.startsWith('/')) return false;
  const readings = [() => new URL(target, 'http://lab'), () => new URL(`http://lab${target}`)];
  return readings.some((read) => {
    try {
      return read().pathname === '/device';
    } catch {
      return false;
    }
  });
}

/** Every error code the lab may answer: RFC 6749, 6750, 7009, 8628, and its own `not_found`. */
const ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'invalid_scope',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_token_type',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_token',
  'not_found',
]);

/** The JSON error body of an answer, with the checks every OAuth error answer must pass. */
function oauthError(answer: RawAnswer): { error: string; error_description?: unknown } {
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  expect(typeof body.error).toBe('string');
  return body as { error: string };
}

/** What must hold for any answer of the lab to any request. */
function checkAnswer(raw: RawRequest, answer: RawAnswer): void {
  expect(answer.status).toBeGreaterThanOrEqual(200);
  expect(answer.status).toBeLessThan(500);
  if (raw.method === 'HEAD') {
    expect(answer.body.length).toBe(0);
    return;
  }
  // The verification page answers HTML (and JSON for a malformed form): only non-5xx there.
  if (isVerificationTarget(raw.path)) return;
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body.toString('utf8')) as unknown;
  expect(body).toBeTypeOf('object');
  expect(body).not.toBeNull();
  if (answer.status >= 400) {
    const { error } = body as { error: unknown };
    expect(typeof error).toBe('string');
    expect(ERROR_CODES).toContain(error);
  }
  if (answer.status === 401) expect(answer.headers['www-authenticate']).toBeTruthy();
  if (answer.status === 405) expect(answer.headers.allow).toBeTruthy();
}

/** The credential fields of a 200 answer. */
interface Answer {
  device_code?: string;
  user_code?: string;
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
}

interface RealValues {
  clientId: string;
  deviceCodes: string[];
  userCodes: string[];
  accessTokens: string[];
  refreshTokens: string[];
  idTokens: string[];
}

/** Runs a few real device flows so random requests can carry real credentials. */
async function realValues(lab: Lab): Promise<RealValues> {
  const values: RealValues = {
    clientId: lab.clientId,
    deviceCodes: [],
    userCodes: [],
    accessTokens: [],
    refreshTokens: [],
    idTokens: [],
  };
  // One left pending: random polls get authorization_pending / slow_down, maybe tokens.
  const pending = await authorizeDevice(lab.issuer, lab.clientId, 'openid read');
  values.deviceCodes.push(pending.device_code);
  values.userCodes.push(pending.user_code);
  // Three approved and redeemed: their device codes are spent, their tokens are live.
  for (let i = 0; i < 3; i++) {
    const started = await authorizeDevice(lab.issuer, lab.clientId, 'openid read write');
    lab.approve(started.user_code);
    const answer = await pollToken(lab.issuer, lab.clientId, started.device_code);
    expect(answer.status).toBe(200);
    values.deviceCodes.push(started.device_code);
    values.userCodes.push(started.user_code);
    values.accessTokens.push(answer.body.access_token as string);
    values.refreshTokens.push(answer.body.refresh_token as string);
    values.idTokens.push(answer.body.id_token as string);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** A value once in `oneIn` draws, otherwise null. */
function rarely<T>(arbitrary: fc.Arbitrary<T>, oneIn = 10): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });
}

const REAL_PATHS = [
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/device_authorization',
  '/token',
  '/revoke',
  '/jwks',
  '/whoami',
  '/device',
];

/** Characters node:http lets through in a request target (0x21-0xff). */
const targetChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'abcdefgkntoz0189-._~/'.split('')) },
  { weight: 2, arbitrary: fc.constantFrom(...'!$&\'()*+,;=:@%?#[]{}|\\^`"<>'.split('')) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
);

const pathArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...REAL_PATHS) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...REAL_PATHS), fc.string({ unit: targetChar, maxLength: 30 }))
      .map(([path, query]) => `${path}?${query}`),
  },
  {
    weight: 3,
    arbitrary: fc.string({ unit: targetChar, maxLength: 40 }).map((rest) => `/${rest}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '*',
      '/',
      '//token',
      '//evil.example/token',
      '/token/',
      '/TOKEN',
      '/./token',
      '/x/../token',
      '/%2e%2e/token',
      '/%74oken',
      '/%zz',
      '/%00',
      '/device%00',
      '/device/',
      '/device?user_code=%zz',
      '/device?user_code=BCDF-GHJK',
      '/whoami?access_token=abc',
      '/.well-known/',
      '/.well-known/openid-configuration/x',
      'http://127.0.0.1/token',
      'http://evil.example/jwks',
      `/token?${'a'.repeat(9_000)}`,
      `/${'b'.repeat(20_000)}`,
    ),
  },
);

const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');

/** Header values node:http accepts: tab, visible ASCII, space and 0x80-0xff. */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 10, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.constantFrom('\t', '\x80', '\xe9', '\xff') },
    ),
    maxLength,
  });

const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(FORM) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      `${FORM}; charset=utf-8`,
      'Application/X-WWW-Form-Urlencoded;charset=ISO-8859-1',
      ` ${FORM} `,
      `${FORM}x`,
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'text/html',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      '',
      ';',
    ),
  },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: headerText(40) },
);

const PARAM_NAMES = [
  'grant_type',
  'device_code',
  'client_id',
  'refresh_token',
  'scope',
  'token',
  'token_type_hint',
  'client_secret',
  'user_code',
  'action',
  'csrf',
];

function paramValueArb(real: RealValues): fc.Arbitrary<string> {
  const realStrings = [
    DEVICE_CODE_GRANT,
    'refresh_token',
    'authorization_code',
    'client_credentials',
    real.clientId,
    ...real.deviceCodes,
    ...real.userCodes,
    ...real.accessTokens,
    ...real.refreshTokens,
    ...real.idTokens,
    'openid',
    'openid read',
    'openid profile email offline_access read write admin',
    'approve',
    'deny',
    'lookup',
    'access_token',
  ];
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...realStrings) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 20 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1_000, max: 30_000 }).map((n) => 'x'.repeat(n)),
    },
  );
}

function formArb(real: RealValues): fc.Arbitrary<Array<[string, string]>> {
  const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...PARAM_NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  );
  return fc.array(fc.tuple(name, paramValueArb(real)), { maxLength: 8 }).chain((pairs) =>
    // Sometimes repeat a parameter verbatim (RFC 6749 §3.1 forbids that).
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(pairs) },
      {
        weight: 1,
        arbitrary:
          pairs.length === 0
            ? fc.constant(pairs)
            : fc.nat(pairs.length - 1).map((i) => [...pairs, pairs[i] as [string, string]]),
      },
    ),
  );
}

/** Invalid UTF-8: lone continuation, truncated sequences, overlong, surrogate, 0xff. */
const BAD_UTF8 = [
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff, 0xfe],
].map((bytes) => Buffer.from(bytes));

function bodyArb(real: RealValues): fc.Arbitrary<Buffer> {
  const form = formArb(real).map((pairs) => Buffer.from(new URLSearchParams(pairs).toString()));
  return fc.oneof(
    { weight: 10, arbitrary: form },
    // Form text written by hand: bad percent escapes, stray separators, `+` for space.
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.oneof(
            fc.constantFrom(
              'grant_type=',
              `grant_type=${encodeURIComponent(DEVICE_CODE_GRANT)}`,
              `client_id=${encodeURIComponent(real.clientId)}`,
              `device_code=${real.deviceCodes[0] ?? ''}`,
              '&',
              '=',
              '==',
              '%',
              '%zz',
              '%ff',
              '%C3%28',
              '+',
              'scope=openid+read',
            ),
            fc.string({ maxLength: 10 }),
          ),
          { maxLength: 12 },
        )
        .map((parts) => Buffer.from(parts.join(''))),
    },
    // A valid form with invalid UTF-8 spliced in.
    {
      weight: 2,
      arbitrary: fc.tuple(form, fc.constantFrom(...BAD_UTF8), fc.nat()).map(([bytes, bad, at]) => {
        const cut = bytes.length === 0 ? 0 : at % (bytes.length + 1);
        return Buffer.concat([bytes.subarray(0, cut), bad, bytes.subarray(cut)]);
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .dictionary(fc.constantFrom(...PARAM_NAMES), paramValueArb(real), { maxKeys: 5 })
        .map((object) => Buffer.from(JSON.stringify(object))),
    },
    { weight: 1, arbitrary: fc.json().map((text) => Buffer.from(text)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 2, arbitrary: fc.constant(Buffer.alloc(0)) },
    // Occasionally over the 64 KiB limit (or just under it).
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: MAX_BODY - 16, max: MAX_BODY + 8 * 1024 })
        .map((n) => Buffer.from(`grant_type=refresh_token&refresh_token=${'r'.repeat(n)}`)),
    },
  );
}

function authorizationArb(real: RealValues): fc.Arbitrary<string | undefined> {
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.oneof(fc.constant(real.clientId), fc.string({ maxLength: 12 })),
          fc.string({ maxLength: 12 }),
        )
        .map(([id, secret]) => basic(`${encodeURIComponent(id)}:${secret}`)),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Basic',
        'Basic ',
        'Basic ====',
        'Basic !!!',
        basic('no-colon'),
        basic(':only-secret'),
        basic('%zz:x'),
        basic('other-client:'),
        `Basic ${Buffer.from([0xff, 0x3a, 0x78]).toString('base64')}`,
        'Bearer',
        'Bearer ',
        'bearer x y',
        'Bearer eyJhbGciOiJub25lIn0.e30.',
        'DPoP abc',
        'Digest username="x"',
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('Basic ', 'Bearer ', 'basic ', 'BEARER ', ''), headerText(60))
        .map(([scheme, rest]) => `${scheme}${rest}`),
    },
    ...(real.accessTokens.length > 0
      ? [
          {
            weight: 2,
            arbitrary: fc
              .constantFrom(...real.accessTokens, ...real.idTokens)
              .map((token) => `Bearer ${token}`),
          },
        ]
      : []),
  );
}

function requestArb(real: RealValues): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      method: methodArb,
      path: pathArb,
      contentType: contentTypeArb,
      authorization: authorizationArb(real),
      origin: rarely(fc.constantFrom('null', 'http://evil.example', 'http://127.0.0.1')),
      body: bodyArb(real),
      chunked: fc.oneof(
        { weight: 4, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    })
    .map(({ method, path, contentType, authorization, origin, body, chunked }) => {
      // Node's parser refuses a request target with bytes above 0x7e, or headers over 16 KiB,
      // before the lab sees the request; the lab's `clientError` answer then carries a JSON body
      // even to HEAD, which node's client cannot parse (HPE_CLOSED_CONNECTION). So HEAD gets a
      // target node parses; unparseable targets are covered for the other methods.
      const target =
        method === 'HEAD'
          ? path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).slice(0, 2_000)
          : path;
      const headers: Record<string, string> = {};
      if (contentType !== undefined) headers['content-type'] = contentType;
      if (authorization !== undefined) headers.authorization = authorization;
      if (origin !== null) headers.origin = origin;
      return { method, path: target, headers, body, chunked };
    });
}

/**
 * Credentials the lab issued during the run, harvested from its answers, so that form requests
 * keep reaching the deep paths (pending, slow_down, tokens, rotation, reuse, revocation) after
 * the first credentials are spent. Arbitraries pick them by index; the value is looked up when
 * the request is sent.
 */
interface Pools {
  deviceCodes: string[];
  refreshTokens: string[];
  accessTokens: string[];
}
type PoolName = keyof Pools;
type FormValue = string | { pool: PoolName; index: number };
interface FormSpec {
  path: '/token' | '/device_authorization' | '/revoke';
  pairs: Array<[string, FormValue]>;
  authorization: string | undefined;
}

function resolveForm(spec: FormSpec, pools: Pools): RawRequest {
  const pairs = spec.pairs.map(([name, value]): [string, string] => {
    if (typeof value === 'string') return [name, value];
    const pool = pools[value.pool];
    return [name, pool[value.index % pool.length] ?? 'pool-is-empty'];
  });
  return {
    method: 'POST',
    path: spec.path,
    headers: {
      'content-type': FORM,
      ...(spec.authorization === undefined ? {} : { authorization: spec.authorization }),
    },
    body: Buffer.from(new URLSearchParams(pairs).toString()),
    chunked: false,
  };
}

/** Plausible form requests: the shape of real traffic, with random details and mistakes. */
function formSpecArb(real: RealValues): fc.Arbitrary<FormSpec> {
  // Values that never carry a credential, so the trace check below has no false positives.
  const junk = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constant(''),
  );
  const fromPool = (pool: PoolName) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.nat().map((index): FormValue => ({ pool, index })) },
      { weight: 1, arbitrary: junk },
    );
  const clientId = fc.oneof(
    { weight: 8, arbitrary: fc.constant(real.clientId) },
    { weight: 1, arbitrary: junk },
  );
  const scope = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('openid read', 'read', 'openid profile email offline_access', ''),
    },
    { weight: 1, arbitrary: fc.constantFrom('read write admin', 'openid\tread', 'a"b', 'x\\y') },
    { weight: 1, arbitrary: junk },
  );
  /** A field that is present most of the time (`fc.option` gives null once in `freq`). */
  const field = (name: string, value: fc.Arbitrary<FormValue>, absentOneIn = 8) =>
    fc.option(value, { freq: absentOneIn }).map((v) => (v === null ? [] : [[name, v] as const]));

  const deviceGrant = fc
    .tuple(
      field('grant_type', fc.constant(DEVICE_CODE_GRANT), 20),
      field('client_id', clientId),
      field('device_code', fromPool('deviceCodes')),
    )
    .map((parts) => ({ path: '/token' as const, parts }));
  const refreshGrant = fc
    .tuple(
      field('grant_type', fc.constant('refresh_token'), 20),
      field('client_id', clientId),
      field('refresh_token', fromPool('refreshTokens')),
      field('scope', scope, 2),
    )
    .map((parts) => ({ path: '/token' as const, parts }));
  const otherGrant = fc
    .tuple(
      field('grant_type', fc.oneof(fc.constantFrom('password', 'authorization_code'), junk)),
      field('client_id', clientId),
    )
    .map((parts) => ({ path: '/token' as const, parts }));
  const deviceAuthorization = fc
    .tuple(field('client_id', clientId), field('scope', scope, 3))
    .map((parts) => ({ path: '/device_authorization' as const, parts }));
  const revocation = fc
    .tuple(
      field('client_id', clientId),
      field(
        'token',
        fc.oneof(fromPool('refreshTokens'), fromPool('accessTokens'), fromPool('deviceCodes')),
      ),
      field('token_type_hint', fc.constantFrom('refresh_token', 'access_token', 'junk'), 2),
    )
    .map((parts) => ({ path: '/revoke' as const, parts }));

  const extra = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ maxLength: 10 })),
      junk as fc.Arbitrary<FormValue>,
    ),
    { maxLength: 2 },
  );
  return fc
    .record({
      request: fc.oneof(
        { weight: 6, arbitrary: deviceGrant },
        { weight: 3, arbitrary: refreshGrant },
        { weight: 1, arbitrary: otherGrant },
        { weight: 3, arbitrary: deviceAuthorization },
        { weight: 2, arbitrary: revocation },
      ),
      extra: rarely(extra, 3),
      repeat: rarely(fc.nat(), 12),
      authorization: fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            `Basic ${Buffer.from(`${real.clientId}:`).toString('base64')}`,
            `Basic ${Buffer.from('someone-else:x').toString('base64')}`,
            'Basic !!!',
            'Bearer abc',
          ),
        },
      ),
    })
    .map(({ request, extra, repeat, authorization }) => {
      const pairs: Array<[string, FormValue]> = request.parts.flat().map(([n, v]) => [n, v]);
      // Extra parameters never reuse a name: repeating one is what `repeat` is for.
      for (const pair of extra ?? []) {
        if (!pairs.some(([name]) => name === pair[0])) pairs.push(pair);
      }
      if (repeat !== null && pairs.length > 0) {
        const copy = pairs[repeat % pairs.length];
        if (copy) pairs.push(copy);
      }
      return { path: request.path, pairs, authorization };
    });
}

// ---------------------------------------------------------------------------------------------

describe('lab under random input', () => {
  let lab: Lab;
  let real: RealValues;
  /** Random requests that got an answer. */
  let answered = 0;

  beforeAll(async () => {
    // Interval 1: the scenario approves a pending code one second after its authorization (and
    // two answered polls), so the random run reaches the token-issuing paths too.
    lab = await startLab({ scenario: 'approve', interval: 1 });
    expect(lab.settings.faultPolls.size).toBe(0);
    real = await realValues(lab);
  });

  afterAll(async () => {
    await lab?.close();
  });

  it('answers any request without 5xx, with a JSON error body on 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb(real), async (raw) => {
        checkAnswer(raw, await send(lab, raw));
        answered += 1;
      }),
      { numRuns: 2_000 },
    );
  }, 60_000);

  it('answers plausible form requests without 5xx, and never traces a raw credential', async () => {
    const pools: Pools = {
      deviceCodes: [...real.deviceCodes],
      refreshTokens: [...real.refreshTokens],
      accessTokens: [...real.accessTokens],
    };
    await fc.assert(
      fc.asyncProperty(formSpecArb(real), async (spec) => {
        const raw = resolveForm(spec, pools);
        const before = lab.trace.events.length;
        const answer = await send(lab, raw);
        checkAnswer(raw, answer);
        answered += 1;

        // A repeated parameter is refused before anything else is looked at.
        const names = [...new URLSearchParams(raw.body.toString())].map(([name]) => name);
        if (raw.body.length <= MAX_BODY && new Set(names).size !== names.length) {
          expect(answer.status).toBe(400);
          expect(oauthError(answer).error).toBe('invalid_request');
        }

        // The request is in the trace, as answered (maybe after the scenario's decision), and
        // the trace holds fingerprints only.
        const added = lab.trace.events.slice(before);
        const recorded = added.filter((event) => event.type === 'request');
        expect(recorded).toHaveLength(1);
        expect(recorded[0]).toMatchObject({ method: 'POST', status: answer.status });
        const traced = JSON.stringify(added);
        const body = answer.status === 200 ? (JSON.parse(answer.body.toString()) as Answer) : {};
        for (const secret of [
          ...[...new URLSearchParams(raw.body.toString())]
            .map(([, value]) => value)
            .filter((value) => Object.values(pools).some((pool: string[]) => pool.includes(value))),
          ...[
            body.device_code,
            body.user_code,
            body.access_token,
            body.refresh_token,
            body.id_token,
          ],
        ]) {
          if (secret) expect(traced).not.toContain(secret);
        }

        // Harvest what the lab issued, for later requests.
        if (body.device_code) pools.deviceCodes.push(body.device_code);
        if (body.refresh_token) pools.refreshTokens.push(body.refresh_token);
        if (body.access_token) pools.accessTokens.push(body.access_token);
      }),
      { numRuns: 1_000 },
    );
  }, 60_000);

  it('still serves after the random run: metadata, a whole device flow, no 5xx in the trace', async () => {
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]) {
      const answer = await fetch(`${lab.issuer}${path}`);
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { issuer: string }).issuer).toBe(lab.issuer);
    }
    const started = await authorizeDevice(lab.issuer, lab.clientId, 'openid');
    lab.approve(started.user_code);
    const tokens = await pollToken(lab.issuer, lab.clientId, started.device_code);
    expect(tokens.status).toBe(200);
    expect(tokens.body.access_token).toEqual(expect.any(String));

    const requests = lab.trace.events.filter((e) => e.type === 'request');
    // Requests node's parser refuses (bad bytes in the target, oversized headers) are answered
    // by the lab's clientError handler and never reach the trace; all others are in it.
    expect(requests.length).toBeGreaterThan(answered * 0.8);
    expect(requests.filter((e) => e.status >= 500)).toEqual([]);
  });
});

describe('lab bad input, one case at a time', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab({ scenario: 'approve' });
  });

  afterAll(async () => {
    await lab?.close();
  });

  const form = (body: string, headers: Record<string, string> = {}) =>
    rawRequest('POST', '/token', { headers: { 'content-type': FORM, ...headers }, body });

  it('wrong content type → 400 invalid_request', async () => {
    const body = `grant_type=${encodeURIComponent(DEVICE_CODE_GRANT)}&client_id=${lab.clientId}&device_code=x`;
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const answer = await send(
        lab,
        rawRequest('POST', '/token', { headers: { 'content-type': type }, body }),
      );
      expect(answer.status).toBe(400);
      expect(oauthError(answer).error).toBe('invalid_request');
    }
    const none = await send(lab, rawRequest('POST', '/token', { body }));
    expect(none.status).toBe(400);
    expect(oauthError(none).error).toBe('invalid_request');
    const json = await send(
      lab,
      rawRequest('POST', '/device_authorization', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: lab.clientId }),
      }),
    );
    expect(json.status).toBe(400);
    expect(oauthError(json).error).toBe('invalid_request');
  });

  it('repeated parameter → 400 invalid_request', async () => {
    const answer = await send(
      lab,
      form(
        `grant_type=refresh_token&client_id=${lab.clientId}&client_id=${lab.clientId}&refresh_token=x`,
      ),
    );
    expect(answer.status).toBe(400);
    const body = oauthError(answer);
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(/client_id/);
  });

  it('missing grant_type → 400 invalid_request', async () => {
    const answer = await send(lab, form(`client_id=${lab.clientId}&device_code=x`));
    expect(answer.status).toBe(400);
    expect(oauthError(answer).error).toBe('invalid_request');
  });

  it('unknown grant_type → 400 unsupported_grant_type', async () => {
    const answer = await send(lab, form(`grant_type=password&client_id=${lab.clientId}`));
    expect(answer.status).toBe(400);
    expect(oauthError(answer).error).toBe('unsupported_grant_type');
  });

  it('unknown device_code → 400 invalid_grant', async () => {
    const answer = await pollToken(lab.issuer, lab.clientId, 'no-such-device-code');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_grant');
  });

  it('device_code reused after success → 400 invalid_grant', async () => {
    const started = await authorizeDevice(lab.issuer, lab.clientId, 'read');
    lab.approve(started.user_code);
    const first = await pollToken(lab.issuer, lab.clientId, started.device_code);
    expect(first.status).toBe(200);
    const again = await pollToken(lab.issuer, lab.clientId, started.device_code);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('wrong client_id → 401 invalid_client with WWW-Authenticate', async () => {
    const started = await authorizeDevice(lab.issuer, lab.clientId, 'read');
    for (const answer of [
      await pollToken(lab.issuer, 'someone-else', started.device_code),
      await postForm(`${lab.issuer}/device_authorization`, { client_id: 'someone-else' }),
      await postForm(`${lab.issuer}/revoke`, { client_id: 'someone-else', token: 'x' }),
      await postForm(`${lab.issuer}/token`, { grant_type: DEVICE_CODE_GRANT, device_code: 'x' }),
    ]) {
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe('invalid_client');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
  });

  it('a 70 KiB body → 413 invalid_request as JSON, declared or chunked', async () => {
    const body = `grant_type=refresh_token&refresh_token=${'r'.repeat(70 * 1024)}`;
    for (const chunked of [false, true]) {
      const answer = await send(lab, { ...form(body), chunked });
      expect(answer.status).toBe(413);
      expect(oauthError(answer).error).toBe('invalid_request');
    }
  });

  it('unknown path → 404 JSON', async () => {
    for (const path of ['/nope', '/token/extra', '/.well-known/jwks.json']) {
      const answer = await send(lab, rawRequest('GET', path));
      expect(answer.status).toBe(404);
      expect(oauthError(answer).error).toBe('not_found');
    }
  });

  it('wrong method → 405 with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/token', 'POST'],
      ['PUT', '/device_authorization', 'POST'],
      ['POST', '/jwks', 'GET, HEAD'],
      ['DELETE', '/.well-known/oauth-authorization-server', 'GET, HEAD'],
      ['POST', '/whoami', 'GET, HEAD'],
      ['PATCH', '/device', 'GET, POST, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const answer = await send(lab, rawRequest(method, path));
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe(allow);
      expect(oauthError(answer).error).toBe('invalid_request');
    }
  });

  it('a request node cannot parse → 400 or 431 invalid_request JSON (clientError handler)', async () => {
    const cases: Array<[string, number]> = [
      ['/t\x80ken', 400],
      [`/${'a'.repeat(20_000)}`, 431], // headers too large
    ];
    for (const [path, status] of cases) {
      const answer = await send(lab, rawRequest('GET', path));
      expect(answer.status).toBe(status);
      expect(oauthError(answer).error).toBe('invalid_request');
    }
  });

  it('concurrent polls of one approved device_code: exactly one gets tokens', async () => {
    const started = await authorizeDevice(lab.issuer, lab.clientId, 'read');
    lab.approve(started.user_code);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => pollToken(lab.issuer, lab.clientId, started.device_code)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_grant');
    }
  });

  it('concurrent refreshes with one refresh token: exactly one succeeds', async () => {
    const started = await authorizeDevice(lab.issuer, lab.clientId, 'read');
    lab.approve(started.user_code);
    const tokens = await pollToken(lab.issuer, lab.clientId, started.device_code);
    const refresh = tokens.body.refresh_token as string;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        postForm(`${lab.issuer}/token`, {
          grant_type: 'refresh_token',
          client_id: lab.clientId,
          refresh_token: refresh,
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_grant');
    }
  });

  it('keeps serving after all of that', async () => {
    const answer = await fetch(`${lab.issuer}/.well-known/oauth-authorization-server`);
    expect(answer.status).toBe(200);
    const started = await authorizeDevice(lab.issuer, lab.clientId, 'openid');
    lab.approve(started.user_code);
    expect((await pollToken(lab.issuer, lab.clientId, started.device_code)).status).toBe(200);
  });
});
