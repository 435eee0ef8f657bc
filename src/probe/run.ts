/**
 * `probe`: the authorization server's side of the device-flow boundary, read from its own
 * answers. Discovery (RFC 8414, then OpenID), a few device authorizations, three deliberate
 * token requests (an early poll, an unknown device_code, the wrong client), and, with an
 * approval hook, one complete flow (the token's lifetime, a second redemption, refresh
 * rotation, revocation); with `bruteForce`, wrong user codes at the verification page.
 *
 * Every request goes through `PoliteClient`: counted against `maxRequests`, timed out, never
 * redirected, and stopped at the first 429 or Retry-After. Credentials the server issues are
 * held in memory for the requests that need them and never reported: findings say what the
 * server answered, request by request.
 */
import { randomBytes } from 'node:crypto';
import { metadataUrl } from '../client/discovery.ts';
import { HarnessError, UsageError } from '../errors.ts';
import { isFailing, type Severity } from '../findings/index.ts';
import { accessTokenLifetime } from '../jwt.ts';
import { trustFor } from '../trust.ts';
import { VERSION } from '../version.ts';
import {
  finding,
  type ProbeFinding,
  SERVER_CHECK_IDS,
  type ServerCheckId,
  serverCheck,
} from './checks.ts';
import { estimateEntropy } from './entropy.ts';
import { PoliteClient, type ProbeAnswer, type ProbeRequestLog, ProbeStop } from './http.ts';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface ProbeOptions {
  issuer: string;
  clientId: string;
  scope?: string;
  /** Device authorizations to sample. Default 3. */
  samples?: number;
  /** Every request the probe may make. Default 30. */
  maxRequests?: number;
  /** Per request, ms. Default 10 s. */
  timeoutMs?: number;
  caFile?: string;
  /** Send requests to endpoints on another origin than the issuer. */
  allowCrossOrigin?: boolean;
  /** Seconds. Defaults 900 and 3600. */
  maxDeviceCodeLifetime?: number;
  maxTokenLifetime?: number;
  /** Approves a device authorization as its user would; completes the flow when given. */
  approve?: (authorization: {
    userCode: string;
    verificationUri: string;
    verificationUriComplete?: string;
  }) => Promise<void>;
  /** Wrong user codes to send to the verification page (only when asked for by name). */
  bruteForce?: number;
  failOn?: Severity;
  /** Told each step before it is sent, and what came of it. */
  onStep?: (line: string) => void;
  /** For tests: how the probe waits between polls. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ProbeReport {
  tool: { name: 'devicebound'; version: string };
  createdAt: string;
  issuer: string;
  failOn: Severity;
  maxRequests: number;
  requests: ProbeRequestLog[];
  findings: ProbeFinding[];
  /** Checks that ran and found nothing. */
  passed: ServerCheckId[];
  /** Checks that did not run, and why. */
  notRun: { check: ServerCheckId; why: string }[];
  /** What the probe read (entropy estimates, lifetimes), for the report. */
  facts: string[];
  /** Why the probe stopped early, if it did. */
  stopped?: string;
  summary: { passed: boolean; findings: number; bySeverity: Record<Severity, number> };
}

interface Sample {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn?: number;
  interval?: number;
  /** The interval in force for this device code (slow_down adds 5 s). */
  pollEvery: number;
  issuedAt: number;
}

interface Metadata {
  issuer?: unknown;
  device_authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  revocation_endpoint?: unknown;
  [key: string]: unknown;
}

export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const issuer = issuerUrl(options.issuer);
  const { ca } = await trustFor(issuer, options.caFile, '--ca-file');
  const maxRequests = options.maxRequests ?? 30;
  const client = new PoliteClient({ maxRequests, timeoutMs: options.timeoutMs ?? 10_000, ca });
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const say = options.onStep ?? (() => {});
  const findings: ProbeFinding[] = [];
  const ran = new Set<ServerCheckId>();
  const notRun = new Map<ServerCheckId, string>();
  const facts: string[] = [];
  const maxDeviceCode = options.maxDeviceCodeLifetime ?? 900;
  const maxToken = options.maxTokenLifetime ?? 3600;
  const ref = (answer: ProbeAnswer | undefined) => {
    const entry = client.log.at(-1);
    return entry ? `#${entry.n} ${entry.method} ${entry.url} → ${answerText(answer, entry)}` : '';
  };
  const fail = (id: ServerCheckId, message: string, evidence: string[]) => {
    ran.add(id);
    findings.push(finding(id, message, evidence));
  };
  const pass = (id: ServerCheckId) => ran.add(id);
  const skip = (ids: ServerCheckId[], why: string) => {
    for (const id of ids) if (!ran.has(id) && !notRun.has(id)) notRun.set(id, why);
  };
  let stopped: string | undefined;

  try {
    // 1. Discovery.
    const { metadata, evidence: discovered } = await discover(client, issuer, say);
    if (metadata.issuer !== issuerText(issuer)) {
      fail(
        'server-issuer-mismatch',
        `the metadata names issuer ${JSON.stringify(String(metadata.issuer ?? '(none)')).slice(0, 200)}, not ${issuerText(issuer)}`,
        [discovered],
      );
    } else pass('server-issuer-mismatch');

    const endpoints = endpointsOf(metadata, issuer);
    const insecure = endpoints.filter((e) => !secure(e.url));
    const foreign = endpoints.filter((e) => e.url.origin !== issuer.origin);
    if (insecure.length > 0) {
      fail(
        'server-insecure-endpoint',
        `${insecure.map((e) => `${e.name} ${e.url.origin}${e.url.pathname}`).join(', ')}: plain http outside loopback`,
        [discovered],
      );
    }
    if (foreign.length > 0) {
      fail(
        'server-cross-origin-endpoint',
        `${foreign.map((e) => `${e.name} is on ${e.url.origin}`).join('; ')}, not ${issuer.origin}${options.allowCrossOrigin ? '' : ': not followed (give --allow-cross-origin to follow)'}`,
        [discovered],
      );
    } else pass('server-cross-origin-endpoint');
    const usable = (url: URL | undefined) =>
      url !== undefined && (options.allowCrossOrigin || url.origin === issuer.origin);

    const device = endpoints.find((e) => e.name === 'device_authorization_endpoint')?.url;
    const token = endpoints.find((e) => e.name === 'token_endpoint')?.url;
    const revocation = endpoints.find((e) => e.name === 'revocation_endpoint')?.url;
    if (!device) {
      fail('server-no-device-endpoint', 'the metadata has no device_authorization_endpoint', [
        discovered,
      ]);
      throw new Finished('no device authorization endpoint: nothing more to probe');
    }
    pass('server-no-device-endpoint');
    if (!usable(device) || !usable(token)) {
      throw new Finished(
        'the device authorization or token endpoint is on another origin: not followed',
      );
    }
    if (!token) throw new Finished('the metadata has no token_endpoint: nothing more to probe');

    // 2. Device authorizations.
    const samples: Sample[] = [];
    const sampleEvidence: string[] = [];
    const count = Math.max(1, options.samples ?? 3);
    for (let i = 0; i < count; i++) {
      say(`device authorization ${i + 1} of ${count}: POST ${device.origin}${device.pathname}`);
      const answer = await client.send(`device authorization ${i + 1}`, 'POST', device, {
        client_id: options.clientId,
        ...(options.scope !== undefined && { scope: options.scope }),
      });
      sampleEvidence.push(ref(answer));
      const sample = sampleOf(answer);
      // Told to back off: that is the answer, and the probe ends here.
      if (client.stopped) throw client.stopped;
      if (!sample) {
        if (samples.length === 0) {
          throw new HarnessError(
            'probe_refused',
            `the device authorization endpoint did not issue a device code (${answerText(answer, client.log.at(-1))}); check --client-id and --scope`,
          );
        }
        break;
      }
      samples.push(sample);
    }
    const first = samples[0] as Sample;
    readSamples(samples, sampleEvidence, { maxDeviceCode, fail, pass, facts });
    const verification = samples
      .flatMap((s) => [s.verificationUri, s.verificationUriComplete ?? ''])
      .filter((uri) => uri !== '')
      .find((uri) => !secureText(uri));
    if (verification || insecure.length > 0) {
      if (verification) {
        fail(
          'server-insecure-endpoint',
          `the verification URI ${new URL(verification).origin} is plain http outside loopback`,
          sampleEvidence.slice(0, 1),
        );
      }
    } else pass('server-insecure-endpoint');

    // 3. Three deliberate token requests.
    // A first poll, then a second at once: sooner than the interval, on purpose.
    say('two polls in a row, the second sooner than the interval on purpose');
    const pollOnce = (step: string) =>
      client.send(step, 'POST', token, {
        grant_type: DEVICE_CODE_GRANT,
        device_code: first.deviceCode,
        client_id: options.clientId,
      });
    const opening = await pollOnce('first poll');
    const openingRef = ref(opening);
    const early = errorOf(opening) === 'slow_down' ? opening : await pollOnce('early poll');
    const slowDowns = [opening, early].filter((answer) => errorOf(answer) === 'slow_down');
    first.pollEvery += 5 * new Set(slowDowns).size;
    if (slowDowns.length > 0) pass('server-no-slow-down');
    else {
      fail(
        'server-no-slow-down',
        `a poll sent at once after another was answered ${answerText(early)}, not slow_down (RFC 8628 §3.5 lets the server answer slow_down; it does not have to)`,
        [openingRef, ref(early)],
      );
    }

    say('an unknown device_code');
    const unknown = await client.send('unknown device_code', 'POST', token, {
      grant_type: DEVICE_CODE_GRANT,
      device_code: randomBytes(32).toString('base64url'),
      client_id: options.clientId,
    });
    if (errorOf(unknown) === 'invalid_grant' && unknown.status === 400) {
      pass('server-unknown-device-code');
    } else {
      fail(
        'server-unknown-device-code',
        `a device_code the server never issued was answered ${answerText(unknown)}, not HTTP 400 invalid_grant`,
        [ref(unknown)],
      );
    }

    const other = samples[1] ?? first;
    say('a device_code from the wrong client_id');
    const wrong = await client.send('wrong client_id', 'POST', token, {
      grant_type: DEVICE_CODE_GRANT,
      device_code: other.deviceCode,
      client_id: `${options.clientId}-not-this-client`,
    });
    const wrongError = errorOf(wrong);
    if (
      wrong.status >= 400 &&
      wrongError !== undefined &&
      !['authorization_pending', 'slow_down'].includes(wrongError)
    ) {
      pass('server-wrong-client-accepted');
    } else {
      fail(
        'server-wrong-client-accepted',
        `another client_id presenting a device code was answered ${answerText(wrong)}: the code is not bound to its client`,
        [ref(wrong)],
      );
    }

    // 4. One complete flow, with the approval hook.
    if (options.approve) {
      await completeFlow({
        client,
        token,
        revocation: usable(revocation) ? revocation : undefined,
        hasRevocation: revocation !== undefined,
        sample: first,
        options,
        maxToken,
        sleep,
        say,
        fail,
        pass,
        facts,
        ref,
      });
    } else {
      skip(
        [
          'server-reusable-device-code',
          'server-long-token',
          'server-refresh-no-rotation',
          'server-revocation-ineffective',
        ],
        'needs a completed sign-in: give --approve-command',
      );
    }
    if (revocation === undefined) {
      fail(
        'server-no-revocation',
        'the metadata has no revocation_endpoint: a client cannot end its session',
        [discovered],
      );
    } else pass('server-no-revocation');

    // 5. Wrong user codes, only when asked for by name.
    if (options.bruteForce !== undefined && options.bruteForce > 0) {
      await bruteForce(client, first, options.bruteForce, say, fail, pass, facts, ref);
    } else {
      skip(
        ['server-no-rate-limit'],
        'sends wrong user codes: only with --allow-brute-force-test N',
      );
    }
  } catch (error) {
    if (error instanceof Finished) stopped = error.message;
    else if (error instanceof ProbeStop) {
      if (error.reason === 'unreachable' && client.made <= 2 && !stopped) {
        throw new HarnessError('probe_unreachable', `cannot reach the server: ${error.message}`);
      }
      stopped = error.message;
    } else throw error;
  }
  const why = stopped ? `not reached: ${stopped}` : 'not reached';
  skip([...SERVER_CHECK_IDS], why);

  const failOn = options.failOn ?? 'low';
  const bySeverity = { info: 0, low: 0, medium: 0, high: 0, critical: 0 } as Record<
    Severity,
    number
  >;
  for (const item of findings) bySeverity[item.severity] += 1;
  const order = SERVER_CHECK_IDS;
  findings.sort((a, b) => order.indexOf(a.check) - order.indexOf(b.check));
  return {
    tool: { name: 'devicebound', version: VERSION },
    createdAt: new Date().toISOString(),
    issuer: issuerText(issuer),
    failOn,
    maxRequests,
    requests: client.log,
    findings,
    passed: order.filter((id) => ran.has(id) && !findings.some((f) => f.check === id)),
    notRun: order
      .filter((id) => notRun.has(id))
      .map((id) => ({ check: id, why: notRun.get(id) ?? '' })),
    facts,
    ...(stopped !== undefined && { stopped }),
    summary: {
      passed: !findings.some((f) => isFailing(f, failOn)),
      findings: findings.length,
      bySeverity,
    },
  };
}

/** The probe ended early for a reason that is itself a result (no endpoint to go on with). */
class Finished extends Error {}

function issuerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(text).slice(0, 200)}`, { field: 'issuer' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`an http(s) URL is needed, not ${url.protocol}`, { field: 'issuer' });
  if (url.search || url.hash || url.username || url.password)
    throw new UsageError('an issuer has no query, fragment or credentials (RFC 8414 §2)', {
      field: 'issuer',
    });
  return url;
}

/** The issuer identifier as metadata must name it: no trailing slash on a bare origin. */
function issuerText(url: URL): string {
  return url.pathname === '/' ? url.origin : url.href.replace(/\/$/, '');
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
function secure(url: URL): boolean {
  return (
    url.protocol === 'https:' || LOOPBACK.has(url.hostname) || url.hostname.endsWith('.localhost')
  );
}
function secureText(text: string): boolean {
  try {
    return secure(new URL(text));
  } catch {
    return false;
  }
}

/** RFC 8414 metadata (the well-known path inserted before the issuer's path), then OpenID's. */
async function discover(
  client: PoliteClient,
  issuer: URL,
  say: (line: string) => void,
): Promise<{ metadata: Metadata; evidence: string }> {
  const candidates = [metadataUrl(issuer, 'oauth2'), metadataUrl(issuer, 'oidc')];
  let last = '';
  for (const url of candidates) {
    say(`discovery: GET ${url.href}`);
    const answer = await client.send('discovery', 'GET', url);
    const entry = client.log.at(-1);
    const evidence = entry ? `#${entry.n} GET ${entry.url} → ${answerText(answer, entry)}` : '';
    if (answer.status >= 300 && answer.status < 400) {
      throw new HarnessError(
        'probe_redirect',
        `${url.href} answered HTTP ${answer.status} to ${String(answer.headers.location ?? '(no location)').slice(0, 200)}: redirects are not followed; give the issuer the server names itself`,
      );
    }
    if (answer.status === 200) {
      if (!answer.json) {
        throw new HarnessError(
          'probe_metadata',
          `the metadata at ${url.href} is not a JSON object (content-type ${String(answer.headers['content-type'] ?? 'none').slice(0, 80)})`,
        );
      }
      return { metadata: answer.json as Metadata, evidence };
    }
    last = evidence;
  }
  throw new HarnessError(
    'probe_metadata',
    `no authorization server metadata at ${candidates.map((c) => c.href).join(' or ')} (${last})`,
  );
}

function endpointsOf(metadata: Metadata, issuer: URL): { name: string; url: URL }[] {
  const names = [
    'device_authorization_endpoint',
    'token_endpoint',
    'revocation_endpoint',
    'jwks_uri',
  ] as const;
  const found: { name: string; url: URL }[] = [];
  for (const name of names) {
    const value = metadata[name];
    if (typeof value !== 'string') continue;
    try {
      found.push({ name, url: new URL(value, issuer) });
    } catch {
      // not a URL: left out
    }
  }
  return found;
}

function errorOf(answer: ProbeAnswer): string | undefined {
  return typeof answer.json?.error === 'string' ? answer.json.error : undefined;
}

/** `HTTP 400 invalid_grant`, `HTTP 200 (tokens)`: what an answer was, never a value. */
function answerText(answer: ProbeAnswer | undefined, entry?: ProbeRequestLog): string {
  if (!answer) return entry?.outcome ?? 'no answer';
  const error = errorOf(answer);
  if (error) return `HTTP ${answer.status} ${error.slice(0, 60)}`;
  if (answer.json?.access_token !== undefined) return `HTTP ${answer.status} (tokens)`;
  if (answer.json?.device_code !== undefined) return `HTTP ${answer.status} (a device code)`;
  return `HTTP ${answer.status}`;
}

function sampleOf(answer: ProbeAnswer): Sample | undefined {
  const json = answer.json;
  if (answer.status !== 200 || !json) return undefined;
  const { device_code, user_code, verification_uri, verification_uri_complete } = json;
  if (typeof device_code !== 'string' || typeof user_code !== 'string') return undefined;
  const number = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value)
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : undefined;
  const interval = number(json.interval);
  const expiresIn = number(json.expires_in);
  return {
    deviceCode: device_code,
    userCode: user_code,
    verificationUri: typeof verification_uri === 'string' ? verification_uri : '',
    ...(typeof verification_uri_complete === 'string' && {
      verificationUriComplete: verification_uri_complete,
    }),
    ...(expiresIn !== undefined && { expiresIn }),
    ...(interval !== undefined && { interval }),
    pollEvery: interval ?? 5,
    issuedAt: Date.now(),
  };
}

function readSamples(
  samples: Sample[],
  evidence: string[],
  tools: {
    maxDeviceCode: number;
    fail: (id: ServerCheckId, message: string, evidence: string[]) => void;
    pass: (id: ServerCheckId) => void;
    facts: string[];
  },
): void {
  const { maxDeviceCode, fail, pass, facts } = tools;
  const lifetimes = samples.map((s) => s.expiresIn);
  const longest = Math.max(...lifetimes.map((l) => l ?? Number.POSITIVE_INFINITY));
  facts.push(
    `${samples.length} device authorizations: expires_in ${lifetimes.map((l) => l ?? 'absent').join(', ')}; interval ${samples.map((s) => s.interval ?? 'absent').join(', ')}`,
  );
  if (longest > maxDeviceCode) {
    fail(
      'server-long-device-code',
      lifetimes.some((l) => l === undefined)
        ? `a device authorization gave no expires_in (REQUIRED, RFC 8628 §3.2)`
        : `device codes live ${longest} s; the policy allows ${maxDeviceCode} s`,
      evidence,
    );
  } else pass('server-long-device-code');
  const intervals = samples.map((s) => s.interval);
  if (intervals.some((i) => i === undefined)) {
    fail(
      'server-no-interval',
      'the device authorization answers announce no interval: clients fall back to 5 s',
      evidence,
    );
  } else pass('server-no-interval');
  const short = intervals.filter((i): i is number => i !== undefined && i < 5);
  if (short.length > 0) {
    fail(
      'server-short-interval',
      `the interval announced is ${Math.min(...short)} s, shorter than the RFC's 5 s`,
      evidence,
    );
  } else pass('server-short-interval');

  const user = estimateEntropy(
    samples.map((s) => s.userCode),
    '- ',
  );
  facts.push(
    `user codes: ${user.length} characters of ${user.charset} (${user.alphabet} symbols): about ${user.bits} bits (an estimate from ${samples.length} samples)`,
  );
  if (user.bits < 34) {
    fail(
      'server-weak-user-code',
      `user codes are ${user.length} characters of ${user.charset}: about ${user.bits} bits, less than the 34.5 bits of 8 base-20 characters (RFC 8628 §6.1)`,
      evidence,
    );
  } else pass('server-weak-user-code');

  const device = estimateEntropy(samples.map((s) => s.deviceCode));
  facts.push(
    `device codes: ${device.length} characters of ${device.charset}: about ${device.bits} bits at most (an estimate from the characters, not a test of the generator)`,
  );
  if (device.bits < 128) {
    fail(
      'server-weak-device-code',
      `device codes are ${device.length} characters of ${device.charset}: about ${device.bits} bits, below 128`,
      evidence,
    );
  } else pass('server-weak-device-code');

  if (samples.some((s) => s.verificationUriComplete !== undefined)) {
    fail(
      'server-verification-uri-complete',
      'verification_uri_complete is offered: the verification page must show the client and the scopes and ask the user to confirm (RFC 8628 §5.4, remote phishing)',
      evidence.slice(0, 1),
    );
  } else pass('server-verification-uri-complete');
}

async function completeFlow(context: {
  client: PoliteClient;
  token: URL;
  revocation: URL | undefined;
  hasRevocation: boolean;
  sample: Sample;
  options: ProbeOptions;
  maxToken: number;
  sleep: (ms: number) => Promise<void>;
  say: (line: string) => void;
  fail: (id: ServerCheckId, message: string, evidence: string[]) => void;
  pass: (id: ServerCheckId) => void;
  facts: string[];
  ref: (answer: ProbeAnswer | undefined) => string;
}): Promise<void> {
  const { client, token, sample, options, say, fail, pass, facts, ref, sleep } = context;
  say('approval hook: approving the first device authorization (the hook is told its user code)');
  await options.approve?.({
    userCode: sample.userCode,
    verificationUri: sample.verificationUri,
    ...(sample.verificationUriComplete && {
      verificationUriComplete: sample.verificationUriComplete,
    }),
  });
  const poll = () =>
    client.send('poll after approval', 'POST', token, {
      grant_type: DEVICE_CODE_GRANT,
      device_code: sample.deviceCode,
      client_id: options.clientId,
    });
  let answer: ProbeAnswer | undefined;
  const deadline = sample.issuedAt + (sample.expiresIn ?? 600) * 1000;
  for (;;) {
    await sleep(sample.pollEvery * 1000);
    if (Date.now() > deadline) throw new Finished('the device code expired before approval');
    say(`poll (every ${sample.pollEvery} s)`);
    answer = await poll();
    const error = errorOf(answer);
    if (error === 'slow_down') sample.pollEvery += 5;
    else if (error !== 'authorization_pending') break;
  }
  if (!answer.json || typeof answer.json.access_token !== 'string') {
    throw new Finished(`the approved flow ended ${answerText(answer)}: no token to go on with`);
  }
  const issued = ref(answer);
  const tokens = answer.json;

  const lifetime =
    accessTokenLifetime(
      typeof tokens.expires_in === 'number' ? tokens.expires_in : undefined,
      String(tokens.access_token),
    ) ?? 0;
  facts.push(
    `access token lifetime: ${lifetime > 0 ? `${lifetime} s` : 'not stated'}${tokens.refresh_token !== undefined ? '; a refresh token was issued' : '; no refresh token'}`,
  );
  if (lifetime > context.maxToken) {
    fail(
      'server-long-token',
      `access tokens live ${lifetime} s; the policy allows ${context.maxToken} s`,
      [issued],
    );
  } else pass('server-long-token');

  say('redeeming the same device_code again');
  const again = await poll();
  if (typeof again.json?.access_token === 'string') {
    fail(
      'server-reusable-device-code',
      'the device_code was redeemed a second time and tokens were issued again',
      [issued, ref(again)],
    );
  } else pass('server-reusable-device-code');

  let refresh = typeof tokens.refresh_token === 'string' ? tokens.refresh_token : undefined;
  if (refresh) {
    say('one refresh_token grant, then the old refresh token again');
    const refreshed = await client.send('refresh', 'POST', token, {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: options.clientId,
    });
    const next =
      typeof refreshed.json?.refresh_token === 'string' ? refreshed.json.refresh_token : undefined;
    const evidence = [ref(refreshed)];
    if (typeof refreshed.json?.access_token !== 'string') {
      facts.push(`the refresh_token grant was answered ${answerText(refreshed)}`);
    } else {
      const replay = await client.send('old refresh token again', 'POST', token, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
        client_id: options.clientId,
      });
      evidence.push(ref(replay));
      if (!next || next === refresh || typeof replay.json?.access_token === 'string') {
        fail(
          'server-refresh-no-rotation',
          !next || next === refresh
            ? 'the refresh_token grant gave no new refresh token: the same one lives on'
            : 'a new refresh token was issued, but the old one still works',
          evidence,
        );
      } else pass('server-refresh-no-rotation');
      refresh = next ?? refresh;
    }
  } else {
    context.facts.push('no refresh token: rotation and revocation of one not tested');
  }

  if (context.revocation && refresh) {
    say('revoking the refresh token, then using it');
    const revoked = await client.send('revoke', 'POST', context.revocation, {
      token: refresh,
      token_type_hint: 'refresh_token',
      client_id: options.clientId,
    });
    const used = await client.send('revoked refresh token', 'POST', token, {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: options.clientId,
    });
    if (typeof used.json?.access_token === 'string') {
      fail(
        'server-revocation-ineffective',
        `the refresh token still worked after revocation was answered ${answerText(revoked)}`,
        [ref(revoked), ref(used)],
      );
    } else pass('server-revocation-ineffective');
  }
}

/**
 * Wrong user codes at the verification page: its first form, with a wrong code of the same
 * shape in the field that takes the code, sent `attempts` times with the page's cookies. Stops
 * at the first refusal (429 or Retry-After), which is the answer it looks for.
 */
async function bruteForce(
  client: PoliteClient,
  sample: Sample,
  attempts: number,
  say: (line: string) => void,
  fail: (id: ServerCheckId, message: string, evidence: string[]) => void,
  pass: (id: ServerCheckId) => void,
  facts: string[],
  ref: (answer: ProbeAnswer | undefined) => string,
): Promise<void> {
  if (!sample.verificationUri) throw new Finished('no verification_uri to test');
  const page = new URL(sample.verificationUri);
  say(`brute-force test: ${attempts} WRONG user codes to ${page.origin}${page.pathname}`);
  const shown = await client.send('verification page', 'GET', page, undefined, {
    accept: 'text/html',
  });
  const cookie = cookiesOf(shown);
  const form = firstForm(shown.text, page);
  const field = form
    ? [...form.fields.keys()].find((name) => /user_?code|^code$/i.test(name))
    : undefined;
  if (!form || !field) {
    throw new Finished('the verification page has no form with a user-code field to test');
  }
  const evidence: string[] = [ref(shown)];
  for (let i = 1; i <= attempts; i++) {
    const fields = Object.fromEntries(form.fields);
    fields[field] = wrongCode(sample.userCode);
    const answer = await client.send(`wrong user code ${i}`, 'POST', form.action, fields, {
      accept: 'text/html',
      ...(cookie && { cookie }),
    });
    if (i === 1 || answer.status === 429 || answer.headers['retry-after'] !== undefined)
      evidence.push(ref(answer));
    if (answer.status === 429 || answer.headers['retry-after'] !== undefined) {
      facts.push(`the verification page refused after ${i - 1} wrong user codes`);
      pass('server-no-rate-limit');
      return;
    }
  }
  evidence.push(ref(undefined));
  fail(
    'server-no-rate-limit',
    `${attempts} wrong user codes in a row were all answered without a refusal (no 429, no Retry-After)`,
    evidence,
  );
}

/** A code of the same shape as `code` (letters stay letters, digits digits), almost surely wrong. */
function wrongCode(code: string): string {
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ';
  return [...code]
    .map((char) =>
      /[0-9]/.test(char)
        ? String((randomBytes(1)[0] ?? 0) % 10)
        : /[A-Za-z]/.test(char)
          ? (alphabet[(randomBytes(1)[0] ?? 0) % alphabet.length] ?? 'B')
          : char,
    )
    .join('');
}

function cookiesOf(answer: ProbeAnswer): string | undefined {
  const set = answer.headers['set-cookie'];
  const list = Array.isArray(set) ? set : set ? [set] : [];
  const pairs = list.map((cookie) => cookie.split(';')[0] ?? '').filter(Boolean);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

function firstForm(
  html: string,
  base: URL,
): { action: URL; fields: Map<string, string> } | undefined {
  const match = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const action = /action="([^"]*)"/i.exec(match[0])?.[1] ?? base.href;
  const fields = new Map<string, string>();
  for (const [, attributes = ''] of (match[1] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const name = /name="([^"]*)"/i.exec(attributes)?.[1];
    const value = /value="([^"]*)"/i.exec(attributes)?.[1] ?? '';
    if (name) fields.set(name, value.replace(/&amp;/g, '&'));
  }
  try {
    return { action: new URL(action.replace(/&amp;/g, '&'), base), fields };
  } catch {
    return undefined;
  }
}

export { serverCheck };
