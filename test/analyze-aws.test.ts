// `analyze` on a capture of IAM Identity Center's device flow (AWS SSO OIDC's rest-json, with
// camelCase members and the portal's own bearer header): the HAR the lab's AWS dialect records
// for `check --save-har`, of a client that polls as the AWS CLI does (its first two polls back
// to back), judged as the lab judged it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HarEntry } from '../src/evidence/har.ts';
import { harDocument } from '../src/evidence/har.ts';
import { DIALECT_HOSTS } from '../src/evidence/names.ts';
import { startLab } from '../src/lab/index.ts';
import { runCli } from './cli.ts';
import { sleep } from './helpers.ts';
import { callPlayedHost } from './played-host.ts';

const work = await mkdtemp(join(tmpdir(), 'devicebound-analyze-aws-'));
afterAll(() => rm(work, { recursive: true, force: true }));

describe('analyze: an AWS SSO OIDC capture', () => {
  it('finds the device flow in camelCase, and the early second poll', {
    timeout: 60_000,
  }, async () => {
    const entries: HarEntry[] = [];
    const [oidc, portal] = DIALECT_HOSTS.aws;
    const lab = await startLab({
      dialect: 'aws',
      hosts: [...DIALECT_HOSTS.aws],
      interval: 1,
      approveAfter: null,
      enforceInterval: false,
      onExchange: (entry) => entries.push(entry),
    });
    try {
      const json = (path: string, body: unknown) =>
        callPlayedHost(lab, oidc as string, 'POST', path, { json: body });
      const client = (
        await json('/client/register', {
          clientName: 'botocore-client-lab',
          clientType: 'public',
          scopes: ['sso:account:access'],
        })
      ).json() as { clientId: string; clientSecret: string };
      const device = (
        await json('/device_authorization', {
          ...client,
          startUrl: 'https://devicebound-lab.awsapps.com/start',
        })
      ).json() as { deviceCode: string; userCode: string };
      const poll = () =>
        json('/token', {
          ...client,
          grantType: 'urn:ietf:params:oauth:grant-type:device_code',
          deviceCode: device.deviceCode,
        });
      await poll();
      await poll(); // at once, as SSOTokenFetcher's loop does after its first attempt
      lab.approve(device.userCode);
      await sleep(1100);
      const token = (await poll()).json() as { accessToken: string };
      expect(token.accessToken).toBeDefined();
      const credentials = await callPlayedHost(
        lab,
        portal as string,
        'GET',
        '/federation/credentials?role_name=DeviceboundLabRole&account_id=111122223333',
        { headers: { 'x-amz-sso_bearer_token': token.accessToken } },
      );
      expect(credentials.status).toBe(200);
    } finally {
      await lab.close();
    }
    // The lab's own URLs name its address; the HAR names the played hosts, as a real capture.
    const har = join(work, 'aws.har');
    await writeFile(
      har,
      JSON.stringify(harDocument('test', [{ id: 'aws', title: 'aws sso login', entries }])),
    );
    const output = join(work, 'aws.json');
    const done = await runCli(['analyze', har, '--format', 'json', '--output', output]);
    const report = JSON.parse(await readFile(output, 'utf8')) as {
      findings: { check: string; message: string }[];
      evidence: { runs: { events: { type: string; endpoint?: string; host?: string }[] }[] };
    };
    const checks = [...new Set(report.findings.map((f) => f.check))].sort();
    expect(done.code, `${done.stdout}${done.stderr}`).toBe(1);
    // The early poll; the refresh token the registration's scopes earn; plain http (this test
    // talks to the lab without TLS). Not secret-in-telemetry: the token in the portal's own
    // bearer header is its use.
    expect(checks).toEqual(['insecure-transport', 'poll-interval', 'refresh-issued']);
    const endpoints = report.evidence.runs[0]?.events
      .filter((e) => e.type === 'request')
      .map((e) => e.endpoint);
    expect(endpoints).toEqual(
      expect.arrayContaining(['device_authorization', 'token', 'token', 'token', 'resource']),
    );
  });
});
