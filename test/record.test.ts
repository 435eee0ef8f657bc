// `devicebound record` in front of a real authorization server: oidc-provider (npm) over TLS
// with a test CA, a device-flow CLI (devicebound/client) pointed at the recorder, the user's
// side driven through oidc-provider's own pages. The recorder forwards, writes a hashed trace
// and judges it when the program exits or on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rewriteMetadata } from '../src/capture/record.ts';
import { runCli, startCli } from './cli.ts';
import { actAsUser, quietProvider, startProvider } from './oidc-provider.ts';

quietProvider();
const work = await mkdtemp(join(tmpdir(), 'devicebound-record-'));
afterAll(() => rm(work, { recursive: true, force: true }));
const SIGN_IN = fileURLToPath(new URL('fixtures/record/sign-in.mjs', import.meta.url));

interface JsonReport {
  summary: { passed: boolean };
  findings: { check: string; severity: string }[];
  scenarios: { task: string; scenario: string; fromCapture?: { requests: number } }[];
}

/** What a trace may hold besides fingerprints: nothing long and random-looking. */
function rawLookingValues(trace: string): string[] {
  const withoutFingerprints = trace.replace(/sha256:[0-9a-f]{64}/g, '');
  // Letters and digits mixed, as tokens and codes are (paths and names are words).
  return (withoutFingerprints.match(/[A-Za-z0-9_-]{24,}/g) ?? []).filter(
    (word) => /\d/.test(word) && /[A-Za-z]/.test(word),
  );
}

describe.concurrent('devicebound record', () => {
  it('records a sign-in through the recorder over verified TLS, hashed, and judges it clean', async (context) => {
    const op = await startProvider(context, { tls: true });
    const dir = await mkdtemp(join(work, 'clean-'));
    await writeFile(join(dir, 'ca.pem'), op.caPem ?? '');
    const trace = join(dir, 'trace.jsonl');
    const report = join(dir, 'report.json');
    const running = startCli([
      'record',
      '--upstream',
      op.issuer,
      '--ca-file',
      join(dir, 'ca.pem'),
      '--output',
      trace,
      '--format',
      'json',
      '--report',
      report,
      '--',
      process.execPath,
      SIGN_IN,
    ]);
    const [, uri = ''] = await running.waitFor(/VERIFY (\S+)/, 20_000);
    const userCode = new URL(uri).searchParams.get('user_code') ?? '';
    expect(await actAsUser(uri, 'approve', op.caPem)).toBe('approved');
    const done = await running.finished;
    expect(done.stderr).toMatch(/recording on http:\/\/127\.0\.0\.1:\d+ → https:\/\/127\.0\.0\.1/);
    expect(done.stderr).toMatch(
      /TLS checked against the system trust store \(\d+ CAs\) and 1 from/,
    );
    expect(done.stdout).toMatch(/signed in; userinfo answered 200/);
    expect(done.code, done.stderr).toBe(0);

    // Everything went through the recorder to the provider: discovery, device authorization,
    // the poll, the userinfo call and the revocation.
    const paths = op.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /.well-known/oauth-authorization-server',
        'POST /device/auth',
        'POST /token',
        'GET /me',
        'POST /token/revocation',
      ]),
    );
    const json = JSON.parse(await readFile(report, 'utf8')) as JsonReport;
    expect(json.summary.passed).toBe(true);
    expect(json.findings).toEqual([]);
    expect(json.scenarios).toEqual([
      expect.objectContaining({ task: 'devicebound-interop@127.0.0.1', scenario: 'capture' }),
    ]);

    const text = await readFile(trace, 'utf8');
    const events = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; endpoint?: string; scheme?: string });
    expect(events[0]).toMatchObject({ type: 'lab-start', scenario: 'capture', issuer: op.issuer });
    expect(events.map((e) => e.endpoint).filter(Boolean)).toEqual([
      'metadata',
      'device_authorization',
      'token',
      'resource',
      'revocation',
    ]);
    const requests = events.filter((e) => e.type === 'request');
    expect(requests.every((e) => e.scheme === 'https')).toBe(true);
    // The recording's end is marked: what a flow had not done by then, it did not do.
    expect(events.at(-1)).toMatchObject({ type: 'marker', label: 'capture-end' });
    // Hashed: no user code, no token, no device code, only fingerprints.
    expect(userCode).not.toBe('');
    expect(text).not.toContain(userCode);
    expect(rawLookingValues(text)).toEqual([]);
  }, 60_000);

  it('stops on Ctrl-C and judges what it saw: a refresh token and a scope the task may not have', async (context) => {
    const op = await startProvider(context, { tls: true });
    const dir = await mkdtemp(join(work, 'ctrl-c-'));
    await writeFile(join(dir, 'ca.pem'), op.caPem ?? '');
    const recording = startCli([
      'record',
      '--upstream',
      op.issuer,
      '--ca-file',
      join(dir, 'ca.pem'),
      '--allow-scope',
      'openid',
      '--allow-scope',
      'profile',
      '--format',
      'json',
    ]);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(recording.stderr())), 15_000);
      recording.child.stderr?.on('data', () => {
        const match = /recording on (http:\/\/127\.0\.0\.1:\d+)/.exec(recording.stderr());
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    // The program runs on its own, pointed at the recorder, and asks for offline_access.
    const program = spawn(process.execPath, [SIGN_IN, '--scope', 'openid profile offline_access'], {
      env: { ...process.env, DEVICEBOUND_ISSUER: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const verified = new Promise<string>((resolve) => {
      program.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /VERIFY (\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
    });
    expect(await actAsUser(await verified, 'approve', op.caPem)).toBe('approved');
    const code = await new Promise<number | null>((resolve) => program.on('close', resolve));
    expect(code).toBe(0);

    recording.child.kill('SIGINT');
    const done = await recording.finished;
    expect(done.code, done.stderr).toBe(1);
    const json = JSON.parse(done.stdout) as JsonReport;
    expect(json.findings.map((f) => f.check).sort()).toEqual(['excess-scope', 'refresh-issued']);
    // Without --output the trace was a private temporary file, removed after judging.
    expect(done.stderr).toMatch(/\d+ exchanges recorded; judging/);
  }, 60_000);

  it('checks the upstream against the system trust store by default: an unknown CA is refused', async (context) => {
    const op = await startProvider(context, { tls: true });
    const done = await runCli(['record', '--upstream', op.issuer, '--', process.execPath, SIGN_IN]);
    // Discovery failed at the recorder's TLS check: the program never got to a device flow.
    expect(done.stderr).toMatch(/the program exited with [1-9]/);
    expect(done.stderr).toMatch(/no device flow found/);
    expect(done.code).toBe(3);
    expect(op.requests).toEqual([]);
  }, 30_000);

  it('bad flags are usage errors naming the flag or file, and leave no trace file', async () => {
    const trace = join(work, 'never.jsonl');
    const scheme = await runCli(['record', '--upstream', 'ftp://idp.example', '--output', trace]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toMatch(/--upstream.*an http\(s\) URL is needed/);
    expect(scheme.stderr).not.toMatch(/\n\s+at /);
    const query = await runCli(['record', '--upstream', 'https://idp.example/?x=1']);
    expect(query.code).toBe(2);
    expect(query.stderr).toMatch(/no query/);
    const missing = join(work, 'missing-ca.pem');
    const ca = await runCli(['record', '--upstream', 'https://idp.example', '--ca-file', missing]);
    expect(ca.code).toBe(2);
    expect(ca.stderr).toContain(missing);
    expect(ca.stderr).toMatch(/ENOENT/);
    const notPem = join(work, 'not-pem.pem');
    await writeFile(notPem, 'hello\n');
    const empty = await runCli([
      'record',
      '--upstream',
      'https://idp.example',
      '--ca-file',
      notPem,
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no PEM certificate/);
    const absent = await runCli([
      'record',
      '--upstream',
      'https://idp.example',
      '--output',
      trace,
      '--',
      join(work, 'no-such-program'),
    ]);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/could not start .*no-such-program: ENOENT/);
    expect(existsSync(trace)).toBe(true); // the recorder ran; its trace has only lab-start
  }, 30_000);
});

describe('metadata rewriting', () => {
  it("points the upstream's URLs (issuer included) at the recorder, and nothing else", () => {
    const metadata = JSON.stringify({
      issuer: 'https://idp.example',
      token_endpoint: 'https://idp.example/token',
      device_authorization_endpoint: 'https://idp.example/device/auth',
      jwks_uri: 'https://keys.idp.example/jwks',
      lookalike: 'https://idp.example.evil/token',
      scopes_supported: ['openid'],
      nested: { endpoints: ['https://idp.example/x'] },
    });
    expect(
      JSON.parse(rewriteMetadata(metadata, 'https://idp.example', 'http://127.0.0.1:9') ?? ''),
    ).toEqual({
      issuer: 'http://127.0.0.1:9',
      token_endpoint: 'http://127.0.0.1:9/token',
      device_authorization_endpoint: 'http://127.0.0.1:9/device/auth',
      jwks_uri: 'https://keys.idp.example/jwks',
      lookalike: 'https://idp.example.evil/token',
      scopes_supported: ['openid'],
      nested: { endpoints: ['http://127.0.0.1:9/x'] },
    });
    expect(rewriteMetadata('<html>', 'https://idp.example', 'http://127.0.0.1:9')).toBeUndefined();
  });
});
