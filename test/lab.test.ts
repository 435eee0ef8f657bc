// The lab over real HTTP: what RFC 8628, RFC 6749, RFC 7009 and RFC 6750 ask of each endpoint,
// and what each scenario makes the lab answer.
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEvidence } from '../src/evidence/load.ts';
import type { Evidence } from '../src/evidence/model.ts';
import { type Lab, type LabOptions, type RequestEvent, startLab } from '../src/lab/index.ts';
import { authorizeDevice, pollToken, postForm, sleep } from './helpers.ts';

// Evidence saved by `check --save-evidence` (see fixtures/report/README.md).
const EVIDENCE_FILE = fileURLToPath(new URL('./fixtures/report/evidence.json', import.meta.url));

const labs: Lab[] = [];
async function lab(options: LabOptions = {}): Promise<Lab> {
  const started = await startLab({ interval: 1, ...options });
  labs.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(labs.splice(0).map((started) => started.close()));
});

/** Polls once a second (the interval) until the answer is not pending. */
async function pollUntilDone(issuer: string, clientId: string, deviceCode: string, max = 10) {
  for (let i = 0; i < max; i++) {
    await sleep(1050);
    const answer = await pollToken(issuer, clientId, deviceCode);
    if (answer.body.error !== 'authorization_pending') return answer;
  }
  throw new Error('still pending');
}

const tokenEvents = (started: Lab) =>
  started.trace.events.filter(
    (e): e is RequestEvent => e.type === 'request' && e.endpoint === 'token',
  );

describe('metadata (RFC 8414)', () => {
  it('serves the same document at both well-known paths', async () => {
    const started = await lab();
    const oauth = await (
      await fetch(`${started.issuer}/.well-known/oauth-authorization-server`)
    ).json();
    const oidc = await (await fetch(`${started.issuer}/.well-known/openid-configuration`)).json();
    expect(oauth).toEqual(oidc);
    expect(oauth).toMatchObject({
      issuer: started.issuer,
      device_authorization_endpoint: `${started.issuer}/device_authorization`,
      token_endpoint: `${started.issuer}/token`,
      revocation_endpoint: `${started.issuer}/revoke`,
      jwks_uri: `${started.issuer}/jwks`,
      grant_types_supported: expect.arrayContaining([
        'urn:ietf:params:oauth:grant-type:device_code',
        'refresh_token',
      ]),
    });
    expect(started.issuer).not.toMatch(/\/$/);
    const jwks = (await (await fetch(`${started.issuer}/jwks`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.d).toBeUndefined();
  });
});

describe('device authorization (RFC 8628 §3.1–3.2)', () => {
  it('answers every field, with an 8-character base-20 user code shown as XXXX-XXXX', async () => {
    const started = await lab({ interval: 3, expiresIn: 120 });
    const answer = await authorizeDevice(started.issuer, started.clientId);
    expect(answer.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(answer.device_code.length).toBeGreaterThanOrEqual(43);
    expect(answer).toMatchObject({
      verification_uri: `${started.issuer}/device`,
      verification_uri_complete: `${started.issuer}/device?user_code=${answer.user_code}`,
      expires_in: 120,
      interval: 3,
    });
  });

  it('refuses an unknown client with invalid_client and 401', async () => {
    const started = await lab();
    const answer = await postForm(`${started.issuer}/device_authorization`, {
      client_id: 'someone-else',
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_client');
  });

  it('accepts the client in HTTP Basic as well as in the body', async () => {
    const started = await lab();
    const basic = Buffer.from(`${started.clientId}:`).toString('base64');
    const answer = await postForm(
      `${started.issuer}/device_authorization`,
      { scope: 'read' },
      { authorization: `Basic ${basic}` },
    );
    expect(answer.status).toBe(200);
  });

  it('refuses a scope with characters RFC 6749 §3.3 forbids', async () => {
    const started = await lab();
    const answer = await postForm(`${started.issuer}/device_authorization`, {
      client_id: started.clientId,
      scope: 'read "admin"',
    });
    expect(answer.body.error).toBe('invalid_scope');
  });
});

describe('token endpoint: device_code grant (RFC 8628 §3.4–3.5)', () => {
  it('approve: pending, then tokens once; the device_code is single-use', async () => {
    const started = await lab({ scenario: 'approve' });
    const device = await authorizeDevice(started.issuer, started.clientId, 'openid read');
    const first = await pollToken(started.issuer, started.clientId, device.device_code);
    expect(first.status).toBe(400);
    expect(first.body.error).toBe('authorization_pending');
    expect(first.headers.get('cache-control')).toBe('no-store');
    const done = await pollUntilDone(started.issuer, started.clientId, device.device_code);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid read',
    });
    expect(done.body.id_token).toEqual(expect.any(String));
    expect(done.body.refresh_token).toMatch(/^dbrt_/);
    const again = await pollToken(started.issuer, started.clientId, device.device_code);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('deny: access_denied, and it stays denied', async () => {
    const started = await lab({ scenario: 'deny' });
    const device = await authorizeDevice(started.issuer, started.clientId);
    const done = await pollUntilDone(started.issuer, started.clientId, device.device_code);
    expect(done.body.error).toBe('access_denied');
    expect((await pollToken(started.issuer, started.clientId, device.device_code)).body.error).toBe(
      'access_denied',
    );
  });

  it('expire: expired_token once expires_in has run out', async () => {
    const started = await lab({ scenario: 'expire', expiresIn: 2 });
    const device = await authorizeDevice(started.issuer, started.clientId);
    expect(device.expires_in).toBe(2);
    const done = await pollUntilDone(started.issuer, started.clientId, device.device_code);
    expect(done.body.error).toBe('expired_token');
  });

  it('slow-down: slow_down on the chosen poll, and the interval in force grows by 5 s', async () => {
    const started = await lab({ scenario: 'slow-down', slowDownPolls: [1] });
    const device = await authorizeDevice(started.issuer, started.clientId);
    const first = await pollToken(started.issuer, started.clientId, device.device_code);
    expect(first.body.error).toBe('slow_down');
    await sleep(1100);
    // 1.1 s later is too soon now: the interval in force is 6 s, so the lab slows it down again.
    const tooSoon = await pollToken(started.issuer, started.clientId, device.device_code);
    expect(tooSoon.body.error).toBe('slow_down');
    expect(tokenEvents(started).map((e) => e.intervalInForce)).toEqual([1, 6]);
  });

  it('enforces the interval: a poll well before it gets slow_down', async () => {
    const started = await lab({ scenario: 'approve', approveAfter: null });
    const device = await authorizeDevice(started.issuer, started.clientId);
    await pollToken(started.issuer, started.clientId, device.device_code);
    await sleep(500);
    expect((await pollToken(started.issuer, started.clientId, device.device_code)).body.error).toBe(
      'slow_down',
    );
  });

  it('server-error: a bare 503 on poll 2 and a dropped connection on poll 3, then normal answers', async () => {
    const started = await lab({ scenario: 'server-error' });
    const device = await authorizeDevice(started.issuer, started.clientId);
    expect((await pollToken(started.issuer, started.clientId, device.device_code)).status).toBe(
      400,
    );
    await sleep(1050);
    const bare = await fetch(`${started.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: started.clientId,
        device_code: device.device_code,
      }),
    });
    expect(bare.status).toBe(503);
    expect(bare.headers.get('content-type')).toBe('text/html');
    await sleep(1050);
    await expect(pollToken(started.issuer, started.clientId, device.device_code)).rejects.toThrow();
    await sleep(1050);
    expect((await pollToken(started.issuer, started.clientId, device.device_code)).body.error).toBe(
      'authorization_pending',
    );
    expect(tokenEvents(started).map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'server_error_injected',
      'connection_dropped',
      'authorization_pending',
    ]);
  });

  it('refuses a device_code presented by another client', async () => {
    const started = await lab({ clientId: 'cli-a' });
    const device = await authorizeDevice(started.issuer, 'cli-a');
    const answer = await pollToken(started.issuer, 'cli-b', device.device_code);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_client');
  });

  it('approve() and deny() decide by user code, in any case and without the dash', async () => {
    const started = await lab({ approveAfter: null });
    const device = await authorizeDevice(started.issuer, started.clientId);
    started.approve(device.user_code.replace('-', '').toLowerCase());
    expect((await pollToken(started.issuer, started.clientId, device.device_code)).status).toBe(
      200,
    );
    expect(() => started.deny(device.user_code)).toThrow(/already consumed/);
    expect(() => started.approve('BCDF-GHJK')).toThrow(/no device authorization/);
  });
});

describe('refresh, revocation and the protected resource', () => {
  async function signIn(options: LabOptions = {}) {
    const started = await lab({ approveAfter: null, ...options });
    const device = await authorizeDevice(started.issuer, started.clientId, 'openid read');
    started.approve(device.user_code);
    const tokens = await pollToken(started.issuer, started.clientId, device.device_code);
    return { started, tokens: tokens.body as Record<string, string> };
  }
  const whoami = (issuer: string, token: string) =>
    fetch(`${issuer}/whoami`, { headers: { authorization: `Bearer ${token}` } });

  it('whoami answers sub, scope and client_id for a live token', async () => {
    const { started, tokens } = await signIn();
    const answer = await whoami(started.resource, tokens.access_token ?? '');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      sub: 'devicebound-user',
      scope: 'openid read',
      client_id: started.clientId,
    });
  });

  it('whoami answers 401 with WWW-Authenticate for missing, unknown, expired and revoked tokens', async () => {
    const { started, tokens } = await signIn({ tokenTtl: 1 });
    const missing = await fetch(`${started.resource}/whoami`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    const unknown = await whoami(started.resource, 'not-a-token');
    expect(unknown.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    await sleep(1100);
    const expired = await whoami(started.resource, tokens.access_token ?? '');
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error_description: string }).error_description).toMatch(
      /expired/,
    );
  });

  it('rotates refresh tokens and revokes the family when an old one is reused (RFC 9700 §4.14.2)', async () => {
    const { started, tokens } = await signIn();
    const refresh = (token: string) =>
      postForm(`${started.issuer}/token`, {
        grant_type: 'refresh_token',
        client_id: started.clientId,
        refresh_token: token,
      });
    const rotated = await refresh(tokens.refresh_token ?? '');
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(tokens.refresh_token);
    const reused = await refresh(tokens.refresh_token ?? '');
    expect(reused.body.error).toBe('invalid_grant');
    const afterReuse = await refresh(String(rotated.body.refresh_token));
    expect(afterReuse.body.error).toBe('invalid_grant');
    expect((await whoami(started.resource, String(rotated.body.access_token))).status).toBe(401);
  });

  it('refuses the refresh grant when the lab does not allow it', async () => {
    const { started, tokens } = await signIn({ allowRefresh: false });
    const answer = await postForm(`${started.issuer}/token`, {
      grant_type: 'refresh_token',
      client_id: started.clientId,
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(answer.body.error).toBe('unauthorized_client');
  });

  it('revocation (RFC 7009) ends the access token, and answers 200 for unknown tokens', async () => {
    const { started, tokens } = await signIn();
    const revoke = (token: string) =>
      postForm(`${started.issuer}/revoke`, { client_id: started.clientId, token });
    expect((await revoke(tokens.refresh_token ?? '')).status).toBe(200);
    expect((await whoami(started.resource, tokens.access_token ?? '')).status).toBe(401);
    expect((await revoke('never-issued')).status).toBe(200);
  });
});

describe('canaries and the trace', () => {
  it('records every issued credential as a canary and never a raw value in the trace', async () => {
    const traceFile = join(tmpdir(), `devicebound-trace-${process.pid}-${Date.now()}.jsonl`);
    try {
      const started = await lab({ approveAfter: null, traceFile });
      const device = await authorizeDevice(started.issuer, started.clientId, 'openid read');
      started.approve(device.user_code);
      const tokens = await pollToken(started.issuer, started.clientId, device.device_code);
      await started.close();

      const kinds = started
        .canaries()
        .map((canary) => canary.kind)
        .sort();
      expect(kinds).toEqual([
        'access_token',
        'device_code',
        'id_token',
        'refresh_token',
        'user_code',
      ]);
      const raw = started.canaries().map((canary) => canary.secret.reveal());
      expect(raw).toContain(device.device_code);
      expect(raw).toContain(tokens.body.access_token);
      const inMemory = JSON.stringify(started.trace.events);
      const onDisk = await readFile(traceFile, 'utf8');
      const canaryJson = JSON.stringify(started.canaries());
      for (const value of raw) {
        expect(inMemory).not.toContain(value);
        expect(onDisk).not.toContain(value);
        expect(canaryJson).not.toContain(value);
      }
      const lines = onDisk
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; seq: number });
      expect(lines.map((line) => line.seq)).toEqual(lines.map((_, i) => i + 1));
      expect(lines[0]?.type).toBe('lab-start');
      const token = lines.find(
        (line) => line.type === 'request' && (line as RequestEvent).endpoint === 'token',
      ) as RequestEvent | undefined;
      expect(token?.issued.map((ref) => ref.kind).sort()).toEqual([
        'access_token',
        'id_token',
        'refresh_token',
      ]);
      expect(token?.presented[0]?.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      await rm(traceFile, { force: true });
    }
  });

  it('keeps only the newest events in memory when asked; seq counts on and the file gets all', async () => {
    const traceFile = join(tmpdir(), `devicebound-ring-${process.pid}-${Date.now()}.jsonl`);
    try {
      const started = await lab({ keepEvents: 100, traceFile });
      // 1,000 requests, 50 at a time: with the lab-start event, 1,001 events in all.
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 50 }, async () => {
            const answer = await fetch(`${started.issuer}/jwks`);
            await answer.body?.cancel();
          }),
        );
      }
      const kept = started.trace.events;
      expect(kept).toHaveLength(100);
      expect(kept.map((event) => event.seq)).toEqual(
        Array.from({ length: 100 }, (_, i) => 902 + i),
      );
      expect(kept.at(-1)?.seq).toBe(1001);
      expect(started.trace.recorded).toBe(1001);
      // Still bounded after more, and the next event numbers on.
      started.mark('after');
      expect(started.trace.events).toHaveLength(100);
      expect(started.trace.events.at(-1)).toMatchObject({ type: 'marker', seq: 1002 });
      await started.close();
      const lines = (await readFile(traceFile, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { seq: number; type: string });
      expect(lines).toHaveLength(1002);
      expect(lines.map((line) => line.seq)).toEqual(lines.map((_, i) => i + 1));
      expect(lines[0]?.type).toBe('lab-start');
    } finally {
      await rm(traceFile, { force: true });
    }
  });

  it('keeps every event by default, in a list that grows as the lab records', async () => {
    const started = await lab();
    const events = started.trace.events;
    for (let i = 0; i < 3; i++) started.mark(`mark ${i}`);
    expect(events).toHaveLength(4);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses to keep %s events (exit 2)', async (keepEvents) => {
    await expect(startLab({ keepEvents })).rejects.toThrow(/keepEvents: must be a whole number/);
  });

  it('records what saved evidence holds: its events load as evidence again', async () => {
    const started = await lab({ approveAfter: null });
    const { issuer, clientId } = started;
    await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).body?.cancel();
    const device = await authorizeDevice(issuer, clientId, 'openid offline_access');
    await pollToken(issuer, clientId, device.device_code);
    started.mark('run 1', { pid: 1, note: null, kept: false });
    started.approve(device.user_code);
    const tokens = (await pollToken(issuer, clientId, device.device_code)).body;
    const bearer = { authorization: `Bearer ${String(tokens.access_token)}` };
    await (await fetch(`${started.resource}/whoami`, { headers: bearer })).body?.cancel();
    await postForm(`${issuer}/token`, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: String(tokens.refresh_token),
    });
    await postForm(`${issuer}/revoke`, { client_id: clientId, token: String(tokens.access_token) });
    await (await fetch(`${issuer}/nowhere`)).body?.cancel();
    await started.close();

    const events = JSON.parse(
      JSON.stringify(started.trace.events),
    ) as Evidence['runs'][0]['events'];
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(['lab-start', 'request', 'marker', 'decision']),
    );
    const evidence = JSON.parse(await readFile(EVIDENCE_FILE, 'utf8')) as Evidence;
    const [first] = evidence.runs;
    if (!first) throw new Error('no run in the saved evidence');
    evidence.runs = [{ ...first, events }];
    expect(parseEvidence(JSON.stringify(evidence), 'evidence.json').runs[0]?.events).toEqual(
      events,
    );
  });

  it('close() can be called twice and refuses new connections', async () => {
    const started = await lab();
    await started.close();
    await started.close();
    await expect(fetch(`${started.issuer}/jwks`)).rejects.toThrow();
  });
});
