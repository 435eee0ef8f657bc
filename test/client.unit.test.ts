// The pure parts of devicebound/client: the polling schedule, scopes, metadata URLs, errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLoopback, retryAfterMs } from '../src/client/http.ts';
import {
  authorizationServerFromEndpoints,
  DEADLINE_MARGIN_MS,
  DeviceFlowError,
  isDeviceFlowError,
  MAX_BACKOFF_MS,
  metadataUrl,
  normalizeScope,
} from '../src/client/index.ts';
import {
  afterAnswer,
  initialState,
  type PollState,
  placeBeforeDeadline,
  type ScheduledAnswer,
} from '../src/client/schedule.ts';

describe('the polling schedule (RFC 8628 §3.5)', () => {
  it('starts at the announced interval, or 5 s when there is none', () => {
    expect(initialState(3)).toEqual({ intervalMs: 3000, failures: 0 });
    expect(initialState(undefined)).toEqual({ intervalMs: 5000, failures: 0 });
  });

  it('authorization_pending: the interval in force', () => {
    expect(afterAnswer(initialState(5), { type: 'authorization_pending' }).delayMs).toBe(5000);
  });

  it('slow_down: +5 s for this and every later poll', () => {
    let state = initialState(5);
    const delays: number[] = [];
    const answers: ScheduledAnswer[] = [
      { type: 'slow_down' },
      { type: 'authorization_pending' },
      { type: 'slow_down' },
      { type: 'authorization_pending' },
      { type: 'failure' },
      { type: 'authorization_pending' },
    ];
    for (const answer of answers) {
      const next = afterAnswer(state, answer);
      delays.push(next.delayMs);
      state = next.state;
    }
    expect(delays).toEqual([10_000, 10_000, 15_000, 15_000, 15_000, 15_000]);
  });

  it('failures: the interval, doubling per consecutive failure, capped at 60 s; a good answer resets', () => {
    let state: PollState = initialState(5);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const next = afterAnswer(state, { type: 'failure' });
      delays.push(next.delayMs);
      state = next.state;
    }
    expect(delays).toEqual([5000, 10_000, 20_000, 40_000, MAX_BACKOFF_MS, MAX_BACKOFF_MS]);
    state = afterAnswer(state, { type: 'authorization_pending' }).state;
    expect(afterAnswer(state, { type: 'failure' }).delayMs).toBe(5000);
  });

  it('the back-off cap never goes below the interval itself', () => {
    const state = { intervalMs: 90_000, failures: 3 };
    expect(afterAnswer(state, { type: 'failure' }).delayMs).toBe(90_000);
  });

  it('Retry-After is a floor for every answer', () => {
    const state = initialState(1);
    expect(afterAnswer(state, { type: 'authorization_pending', retryAfterMs: 7000 }).delayMs).toBe(
      7000,
    );
    expect(afterAnswer(state, { type: 'slow_down', retryAfterMs: 2000 }).delayMs).toBe(6000);
    expect(afterAnswer(state, { type: 'failure', retryAfterMs: 30_000 })).toMatchObject({
      delayMs: 30_000,
      minimumMs: 30_000,
    });
  });

  it('the deadline: a back-off is shortened to fit, the interval and Retry-After are not', () => {
    const deadline = 100_000;
    const latest = deadline - DEADLINE_MARGIN_MS;
    expect(placeBeforeDeadline(0, { delayMs: 5000, minimumMs: 5000 }, deadline)).toBe(5000);
    // Back-off of 40 s wanted at 80 s: moved up to the latest send time.
    expect(placeBeforeDeadline(80_000, { delayMs: 40_000, minimumMs: 5000 }, deadline)).toBe(
      latest,
    );
    // The interval itself does not fit: polling is over.
    expect(
      placeBeforeDeadline(latest - 4000, { delayMs: 5000, minimumMs: 5000 }, deadline),
    ).toBeUndefined();
  });

  it('property: never sooner than the interval in force or Retry-After, never past the deadline', () => {
    const answer = fc.oneof(
      fc.record(
        { type: fc.constant('authorization_pending' as const), retryAfterMs: fc.nat(20_000) },
        { requiredKeys: ['type'] },
      ),
      fc.record(
        {
          type: fc.constant('slow_down' as const),
          intervalMs: fc.integer({ min: 1, max: 30_000 }),
          retryAfterMs: fc.nat(20_000),
        },
        { requiredKeys: ['type'] },
      ),
      fc.record(
        { type: fc.constant('failure' as const), retryAfterMs: fc.nat(20_000) },
        { requiredKeys: ['type'] },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(answer, { maxLength: 30 }),
        fc.integer({ min: 1, max: 1800 }),
        (interval, answers, expiresIn) => {
          let state = initialState(interval);
          let at = 0;
          let slowDowns = 0;
          const deadline = expiresIn * 1000;
          for (const a of answers) {
            const next = afterAnswer(state, a);
            if (a.type === 'slow_down') slowDowns += 1;
            // The interval in force only grows, and by at least 5 s per slow_down.
            expect(next.state.intervalMs).toBeGreaterThanOrEqual((interval + 5 * slowDowns) * 1000);
            const when = placeBeforeDeadline(at, next, deadline);
            state = next.state;
            if (when === undefined) return;
            expect(when - at).toBeGreaterThanOrEqual(state.intervalMs);
            expect(when - at).toBeGreaterThanOrEqual(a.retryAfterMs ?? 0);
            expect(when).toBeLessThanOrEqual(deadline - DEADLINE_MARGIN_MS);
            at = when + 50; // the answer takes a moment
          }
        },
      ),
    );
  });
});

describe('scopes', () => {
  it('exactly what is asked, in order, repeats dropped, nothing added', () => {
    expect(normalizeScope('read  write read')).toBe('read write');
    expect(normalizeScope(['repo:read', 'openid'])).toBe('repo:read openid');
    expect(normalizeScope('openid')).not.toMatch(/offline_access/);
  });

  it('an empty scope is scope_required unless dangerously allowed', () => {
    for (const scope of ['', ' ', [], [''], undefined]) {
      expect(() => normalizeScope(scope as string)).toThrow(
        expect.objectContaining({ code: 'scope_required' }),
      );
      expect(normalizeScope(scope as string, { dangerouslyUseServerDefaultScope: true })).toBe('');
    }
  });

  it('characters RFC 6749 §3.3 forbids are refused', () => {
    for (const scope of ['a"b', 'a\\b', 'naïve', 'tab\tscope'])
      expect(() => normalizeScope(scope)).toThrow(
        expect.objectContaining({ code: 'invalid_argument' }),
      );
  });
});

describe('metadata and endpoints', () => {
  it('RFC 8414 inserts the well-known path before the issuer path; OpenID appends it', () => {
    expect(metadataUrl('https://as.example.com').href).toBe(
      'https://as.example.com/.well-known/oauth-authorization-server',
    );
    expect(metadataUrl('https://as.example.com/tenant/1/').href).toBe(
      'https://as.example.com/.well-known/oauth-authorization-server/tenant/1',
    );
    expect(metadataUrl('https://as.example.com/tenant/1', 'oidc').href).toBe(
      'https://as.example.com/tenant/1/.well-known/openid-configuration',
    );
    expect(() => metadataUrl('https://as.example.com/?x=1')).toThrow(/query or fragment/);
  });

  it('explicit endpoints: validated, issuer defaults to the token endpoint origin', () => {
    expect(
      authorizationServerFromEndpoints({
        deviceAuthorization: 'https://as.example.com/device',
        token: 'https://as.example.com/token',
      }),
    ).toEqual({
      issuer: 'https://as.example.com',
      device_authorization_endpoint: 'https://as.example.com/device',
      token_endpoint: 'https://as.example.com/token',
    });
    expect(() =>
      authorizationServerFromEndpoints({ deviceAuthorization: 'nope', token: 'https://a/t' }),
    ).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() =>
      authorizationServerFromEndpoints({
        deviceAuthorization: 'http://as.example.com/device',
        token: 'http://as.example.com/token',
      }),
    ).toThrow(expect.objectContaining({ code: 'insecure_request' }));
  });

  it('loopback is plain-http territory; nothing else is', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'cli.localhost', '[::1]'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of ['example.com', '10.0.0.1', '127.0.0.1.nip.io', 'localhost.example.com'])
      expect(isLoopback(host), host).toBe(false);
  });

  it('Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '120' }), now)).toBe(120_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now)).toBe(
      30_000,
    );
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe('errors', () => {
  it('have stable codes and can be told apart', () => {
    const error = new DeviceFlowError('access_denied', 'denied');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DeviceFlowError');
    expect(isDeviceFlowError(error)).toBe(true);
    expect(isDeviceFlowError(error, 'access_denied', 'expired_token')).toBe(true);
    expect(isDeviceFlowError(error, 'aborted')).toBe(false);
    expect(isDeviceFlowError(new Error('x'))).toBe(false);
  });
});
