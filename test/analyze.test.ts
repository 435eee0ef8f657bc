// `devicebound analyze` on captures of flows that already ran: HARs of the generic, GitHub and
// Microsoft device flows with unrelated traffic around them, a devicebound trace, malformed
// files. Each capture has its ground truth beside it here: the findings must be exactly those,
// and no report holds a raw credential of the capture.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { type Entry, entry, har, noise, T0, token } from './har-builder.ts';

const work = await mkdtemp(join(tmpdir(), 'devicebound-analyze-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface JsonReport {
  findings: { check: string; severity: string; scenario: string; task: string; message: string }[];
  scenarios: { scenario: string; task: string; fromCapture?: { requests: number } }[];
  evidence: { runs: { task: string; notes: string[] }[] };
}

async function analyze(
  name: string,
  text: string,
  flags: string[] = [],
): Promise<{ code: number | null; report: JsonReport; outputs: string[]; stderr: string }> {
  const file = join(work, name);
  await writeFile(file, text);
  const formats = ['json', 'text', 'sarif', 'markdown', 'html', 'junit'];
  const args = ['analyze', file, ...flags];
  for (const format of formats)
    args.push('--format', format, '--output', join(work, `${name}.${format}`));
  const done = await runCli(args);
  const outputs = await Promise.all(
    formats.map((format) => readFile(join(work, `${name}.${format}`), 'utf8').catch(() => '')),
  );
  const report = outputs[0] ? (JSON.parse(outputs[0]) as JsonReport) : ({ findings: [] } as never);
  return { code: done.code, report, outputs, stderr: done.stderr };
}

const fired = (report: JsonReport) =>
  [...new Set(report.findings.map((f) => `${f.task}: ${f.check}`))].sort();

/** A generic RFC 8628 flow: polls `gaps` ms apart, interval 5 s, then success and an API call. */
function genericFlow(options: {
  gaps: number[];
  leak?: boolean;
  scope?: string;
  refresh?: boolean;
  expiresIn?: number;
  as?: string;
}) {
  const deviceCode = token('dc-');
  const userCode = 'WDJB-MJHT';
  const access = token('at-');
  const refresh = token('rt-');
  const as = options.as ?? 'https://auth.example.com';
  const entries: Entry[] = [
    entry(0, 'POST', `${as}/oauth/device_authorization`, {
      form: { client_id: 'my-cli', scope: options.scope ?? 'openid profile' },
      answer: {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: `${as}/device`,
        interval: 5,
        expires_in: 600,
      },
    }),
  ];
  let at = 0;
  options.gaps.forEach((gap, i) => {
    at += gap;
    const last = i === options.gaps.length - 1;
    entries.push(
      entry(at, 'POST', `${as}/oauth/token`, {
        form: { grant_type: GRANT, device_code: deviceCode, client_id: 'my-cli' },
        status: last ? 200 : 400,
        answer: last
          ? {
              access_token: access,
              ...(options.refresh && { refresh_token: refresh }),
              token_type: 'Bearer',
              expires_in: options.expiresIn ?? 3600,
            }
          : { error: 'authorization_pending' },
      }),
    );
  });
  entries.push(
    entry(at + 300, 'GET', 'https://api.example.com/v1/me', {
      headers: { authorization: `Bearer ${access}` },
      answer: { sub: 'user-1' },
    }),
  );
  if (options.leak) {
    entries.push(
      entry(at + 400, 'POST', 'https://telemetry.example.net/v2/track', {
        json: { name: 'login', properties: { step: 'poll', code: deviceCode } },
        status: 204,
      }),
    );
  }
  return { entries, secrets: [deviceCode, access, refresh] };
}

describe('analyze on HAR captures', () => {
  it('a clean generic flow among unrelated traffic: no finding, and the flow was found', async () => {
    const flow = genericFlow({ gaps: [5000, 5100, 5050] });
    const { code, report } = await analyze(
      'clean.har',
      har([...noise(-2000, 1), ...flow.entries, ...noise(30_000, 2)]),
    );
    expect(report.findings).toEqual([]);
    expect(report.scenarios).toEqual([
      expect.objectContaining({
        scenario: 'capture',
        task: 'my-cli@auth.example.com',
        fromCapture: { requests: 5 },
      }),
    ]);
    expect(code).toBe(0);
  });

  it('early polls, excess scope, a 90-day token with a refresh token, and the device code posted to telemetry: exactly those, and no raw credential in any format', async () => {
    const flow = genericFlow({
      gaps: [1000, 1000, 5000],
      leak: true,
      scope: 'openid admin',
      refresh: true,
      expiresIn: 90 * 24 * 3600,
    });
    const { code, report, outputs } = await analyze(
      'leaky.har',
      har([...noise(-500, 1), ...flow.entries]),
    );
    expect(fired(report)).toEqual([
      'my-cli@auth.example.com: excess-scope',
      'my-cli@auth.example.com: long-lived-token',
      'my-cli@auth.example.com: poll-interval',
      'my-cli@auth.example.com: refresh-issued',
      'my-cli@auth.example.com: secret-in-telemetry',
    ]);
    const telemetry = report.findings.find((f) => f.check === 'secret-in-telemetry');
    expect(telemetry?.message).toMatch(/telemetry\.example\.net.*the capture shows it delivered/);
    expect(code).toBe(1);
    for (const text of outputs) {
      for (const secret of flow.secrets) expect(text.includes(secret)).toBe(false);
    }
  });

  it('the GitHub dialect: form in, HTTP 200 errors, slow_down ignored, `token` at the API', async () => {
    const deviceCode = token();
    const access = token('gho_');
    const gh = 'https://github.com';
    const poll = (at: number, answer: unknown) =>
      entry(at, 'POST', `${gh}/login/oauth/access_token`, {
        headers: { accept: 'application/json' },
        form: { client_id: 'Iv1.abc', device_code: deviceCode, grant_type: GRANT },
        answer,
      });
    const entries = [
      entry(0, 'POST', `${gh}/login/device/code`, {
        headers: { accept: 'application/json' },
        form: { client_id: 'Iv1.abc', scope: 'repo' },
        answer: { device_code: deviceCode, user_code: 'ABCD-EFGH', interval: 5, expires_in: 899 },
      }),
      poll(5000, { error: 'authorization_pending' }),
      poll(10_000, { error: 'slow_down', interval: 10 }),
      // Should wait 10 s now; comes back after 5.
      poll(15_000, { error: 'authorization_pending' }),
      poll(25_000, { access_token: access, token_type: 'bearer', scope: 'repo' }),
      entry(25_300, 'GET', 'https://api.github.com/user', {
        headers: { authorization: `token ${access}` },
        answer: { login: 'octocat' },
      }),
    ];
    const { report } = await analyze('github.har', har(entries), ['--allow-scope', 'repo']);
    expect(fired(report)).toEqual(['Iv1.abc@github.com: poll-slow-down']);
  });

  it('the Microsoft dialect: /devicecode, 400 pending answers, an early retry after a 503', async () => {
    const deviceCode = token();
    const login = 'https://login.microsoftonline.com/organizations/oauth2/v2.0';
    const poll = (at: number, status: number, answer: unknown) =>
      entry(at, 'POST', `${login}/token`, {
        form: {
          grant_type: GRANT,
          client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
          device_code: deviceCode,
        },
        status,
        ...(status === 503 ? { answerText: '<html>503</html>' } : { answer }),
      });
    const entries = [
      entry(0, 'POST', `${login}/devicecode`, {
        form: {
          client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
          scope: 'User.Read openid profile',
        },
        answer: { device_code: deviceCode, user_code: 'ABC123XYZ', interval: 5, expires_in: 900 },
      }),
      poll(5000, 400, { error: 'authorization_pending' }),
      poll(10_000, 503, undefined),
      poll(10_400, 400, { error: 'authorization_pending' }),
      poll(15_400, 200, { access_token: token(), token_type: 'Bearer', expires_in: 3600 }),
    ];
    const { report } = await analyze('microsoft.har', har(entries), [
      '--allow-scope',
      'User.Read',
      '--allow-scope',
      'openid',
      '--allow-scope',
      'profile',
    ]);
    expect(fired(report)).toEqual([
      '04b07795-8ddb-461a-bbee-02f9e1bf7b46@login.microsoftonline.com: error-backoff',
    ]);
  });

  it('a flow over plain http to a remote host: insecure-transport; on loopback: nothing', async () => {
    const remote = await analyze(
      'http.har',
      har(genericFlow({ gaps: [5000], as: 'http://auth.example.com' }).entries),
    );
    expect(fired(remote.report)).toEqual(['my-cli@auth.example.com: insecure-transport']);
    const local = await analyze(
      'loopback.har',
      har(genericFlow({ gaps: [5000], as: 'http://127.0.0.1:8080' }).entries),
    );
    expect(local.report.findings).toEqual([]);
  });

  it('gave up at slow_down: decided when the capture goes on past the next poll, not when it ends first', async () => {
    const deviceCode = token('dc-');
    const abandoned = [
      entry(0, 'POST', 'https://auth.example.com/oauth/device_authorization', {
        form: { client_id: 'my-cli', scope: 'openid' },
        answer: {
          device_code: deviceCode,
          user_code: 'WDJB-MJHT',
          verification_uri: 'https://auth.example.com/device',
          interval: 5,
          expires_in: 600,
        },
      }),
      entry(5000, 'POST', 'https://auth.example.com/oauth/token', {
        form: { grant_type: GRANT, device_code: deviceCode, client_id: 'my-cli' },
        status: 400,
        answer: { error: 'slow_down' },
      }),
    ];
    // The next poll was due 10 s after the slow_down: the capture shows 30 s more traffic.
    const longer = await analyze('abort.har', har([...abandoned, ...noise(40_000, 1)]));
    expect(fired(longer.report)).toEqual(['my-cli@auth.example.com: slow-down-abort']);
    expect(longer.report.findings[0]?.message).toMatch(/sent no poll by the end of the capture/);
    // The capture ends 1 s after the slow_down: it cannot show whether a poll came.
    const shorter = await analyze('abort-short.har', har([...abandoned, ...noise(6_000, 2)]));
    expect(shorter.report.findings).toEqual([]);
  });

  it('session-reuse across sittings: a token used again hours later without a new sign-in; allowed with session: reuse', async () => {
    const flow = genericFlow({ gaps: [5000] });
    const [, , me] = flow.entries;
    const later = (hours: number) =>
      JSON.parse(
        JSON.stringify(me).replace(
          /"startedDateTime":"[^"]*"/,
          `"startedDateTime":"${new Date(T0 + hours * 3600_000).toISOString()}"`,
        ),
      ) as Entry;
    const reused = await analyze('reuse.har', har([...flow.entries, later(3)]));
    expect(fired(reused.report)).toEqual(['my-cli@auth.example.com: session-reuse']);
    expect(reused.report.findings[0]?.message).toMatch(/issued in an earlier sitting/);
    // Within the hour it is the same sitting: a program using its token, nothing more.
    const sameSitting = await analyze('same-sitting.har', har([...flow.entries, later(0.5)]));
    expect(sameSitting.report.findings).toEqual([]);
    // A policy that lets the task reuse its session.
    const policy = join(work, 'reuse.yaml');
    await writeFile(
      policy,
      'version: 1\ntasks:\n  my-cli:\n    run: [my-cli, login]\n    client_id: my-cli\n    session: reuse\n',
    );
    const allowed = await analyze('reuse-allowed.har', har([...flow.entries, later(3)]), [
      '--policy',
      policy,
    ]);
    expect(allowed.report.findings).toEqual([]);
  });

  it('SARIF points each finding at the capture file and the line of its entry', async () => {
    const flow = genericFlow({ gaps: [5000, 1000, 5000] });
    const text = har([...noise(-500, 1), ...flow.entries]);
    await writeFile(join(work, 'located.har'), text);
    const done = await runCli(['analyze', 'located.har', '--format', 'sarif'], process.env, work);
    const sarif = JSON.parse(done.stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
            message: { text: string };
          }[];
        }[];
      }[];
    };
    const [finding] = sarif.runs[0]?.results ?? [];
    expect(finding?.ruleId).toBe('poll-interval');
    const location = finding?.locations[0];
    expect(location?.physicalLocation.artifactLocation.uri).toBe('located.har');
    // The early poll is the third flow entry, the sixth of the file (after four of noise).
    const line = location?.physicalLocation.region.startLine ?? 0;
    expect(text.split('\n')[line - 1]).toMatch(/^ {6}\{$/);
    expect(
      text
        .split('\n')
        .slice(line, line + 12)
        .join('\n'),
    ).toContain('"url": "https://auth.example.com/oauth/token"');
    expect(location?.message.text).toBe('log.entries[6] of the capture');
  });

  it('says which checks traffic cannot decide', async () => {
    const { report } = await analyze('notes.har', har(genericFlow({ gaps: [5000] }).entries));
    expect(report.evidence.runs[0]?.notes.join('\n')).toMatch(
      /not decidable from traffic \(they need the program itself\): .*secret-at-rest.*secret-in-output/,
    );
  });
});

describe('analyze on malformed input', () => {
  it('a truncated HAR: exit 2 naming the file and line', async () => {
    const text = har(genericFlow({ gaps: [5000] }).entries);
    const { code, stderr } = await analyze(
      'truncated.har',
      text.slice(0, Math.floor(text.length * 0.6)),
    );
    expect(stderr).toMatch(
      /^devicebound: .*truncated\.har:\d+: the file ends inside log\.entries\[\d+\] \(truncated\)\n$/,
    );
    expect(code).toBe(2);
  });

  it('log.entries that is not an array: exit 2 naming the field', async () => {
    const { code, stderr } = await analyze(
      'wrong.har',
      JSON.stringify({ log: { version: '1.2', entries: {} } }),
    );
    expect(stderr).toMatch(/wrong\.har:\d+: log\.entries: log\.entries must be an array/);
    expect(code).toBe(2);
  });

  it('a file that is none of the three kinds: exit 2', async () => {
    const { code, stderr } = await analyze('plain.txt', 'hello\n');
    expect(stderr).toMatch(/plain\.txt:1: not a HAR, a devicebound trace or saved evidence/);
    expect(code).toBe(2);
  });

  it('a bad entry, a scalar entry and entries out of order: the bad ones noted, the flow still judged in time order', async () => {
    const flow = genericFlow({ gaps: [5000, 1000, 5000] });
    const bad = { startedDateTime: 'yesterday', request: { method: 'GET', url: 42 } };
    const [a, b, c, d, e] = flow.entries;
    const shuffled = [d, b, a, e, c];
    const text = har([...(shuffled as Entry[])]).replace(
      '"entries": [',
      `"entries": [${JSON.stringify(bad)}, 7, `,
    );
    const { code, report } = await analyze('messy.har', text);
    expect(fired(report)).toEqual(['my-cli@auth.example.com: poll-interval']);
    const notes = report.evidence.runs[0]?.notes.join('\n') ?? '';
    expect(notes).toMatch(/log\.entries\[0\]: startedDateTime: expected an ISO 8601 time/);
    expect(notes).toMatch(/log\.entries\[1\]: not an object/);
    expect(code).toBe(1);
  });

  it('a 65 MiB answer is left in the file, its entry and the flow beside it still read', async () => {
    const flow = genericFlow({ gaps: [5000] });
    const huge = entry(100, 'GET', 'https://cdn.example.com/huge.bin', {
      answerText: 'x'.repeat(65 * 1024 * 1024),
    });
    const { code, report } = await analyze('huge.har', har([huge, ...flow.entries]));
    expect(report.evidence.runs[0]?.notes.join('\n')).not.toMatch(/skipped/);
    expect(report.scenarios).toHaveLength(1);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('analyze on devicebound files', () => {
  it('a serve --trace file: the lab trace judged from its traffic', async () => {
    const { startLab } = await import('../src/lab/index.ts');
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const traceFile = join(work, 'lab.jsonl');
    // At 2 s a poll at 60 % of the interval is 800 ms early: a loaded machine cannot hide it.
    const lab = await startLab({ interval: 2, approveAfter: 4, traceFile });
    try {
      const child = spawn(
        process.execPath,
        [fileURLToPath(new URL('./fixtures/clis/bad-poll-interval.mjs', import.meta.url))],
        {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: work,
            DEVICEBOUND_ISSUER: lab.issuer,
            DEVICEBOUND_CLIENT_ID: lab.clientId,
            DEVICEBOUND_RESOURCE: lab.resource,
          },
          stdio: 'ignore',
        },
      );
      await new Promise((resolve) => child.on('exit', resolve));
    } finally {
      await lab.close();
    }
    const done = await runCli(['analyze', traceFile, '--format', 'json']);
    const report = JSON.parse(done.stdout) as JsonReport;
    // The lab issues refresh tokens unless told not to: from traffic, that is refresh-issued
    // under the default policy (refresh forbidden), whoever the server is.
    expect(fired(report)).toEqual([
      'trace:lab.jsonl: poll-interval',
      'trace:lab.jsonl: refresh-issued',
    ]);
    expect(done.code).toBe(1);
  });

  it('saved evidence: judged by every check, as check --evidence would', async () => {
    const { fileURLToPath } = await import('node:url');
    const saved = join(work, 'saved-evidence.json');
    const ran = await runCli([
      'check',
      '--scenario',
      'approve',
      '--interval',
      '1',
      '--save-evidence',
      saved,
      '--format',
      'json',
      '--',
      process.execPath,
      fileURLToPath(new URL('./fixtures/clis/bad-secret-in-output.mjs', import.meta.url)),
    ]);
    const checked = JSON.parse(ran.stdout) as JsonReport;
    const done = await runCli(['analyze', saved, '--format', 'json']);
    const report = JSON.parse(done.stdout) as JsonReport;
    // secret-in-output needs the program's output: saved evidence has it.
    expect(fired(report)).toEqual(fired(checked));
    expect(fired(report)).toContain('bad-secret-in-output: secret-in-output');
    expect(done.code).toBe(1);
  }, 60_000);

  it('a trace line that is not a lab event: exit 2 naming its line and field', async () => {
    const file = join(work, 'bad.jsonl');
    await writeFile(file, `${JSON.stringify({ type: 'lab-start', seq: 1, t: 0 })}\n`);
    const done = await runCli(['analyze', file]);
    expect(done.stderr).toMatch(/bad\.jsonl:1: \S+: /);
    expect(done.code).toBe(2);
  });
});
