// `check --preset aws` end to end: the AWS CLI version 1 that often comes first on PATH is
// refused plainly before anything runs; with Debian's AWS CLI version 2 (when installed), the
// user's own ~/.aws and AWS_* variables are never read or touched, and a configuration the CLI
// rejects is reported in the CLI's own words, as inconclusive rather than as a finding.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIALECT_HOSTS } from '../src/evidence/names.ts';
import { runCli } from './cli.ts';

const AWS = '/usr/bin/aws';
const work = await mkdtemp(join(tmpdir(), 'devicebound-aws-preset-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** A stand-in `aws` that only answers `--version`, as the given release would. */
async function fakeAws(dir: string, version: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'aws');
  await writeFile(
    file,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${version}"; exit 0; fi\necho "fake aws: $*" >&2\nexit 252\n`,
  );
  await chmod(file, 0o755);
  return file;
}

describe('the aws preset refuses AWS CLI version 1', () => {
  it('names the version 1 found first on PATH and the version 2 behind it, exit 2, no stack trace', async () => {
    const v1 = await fakeAws(
      join(work, 'pyenv-shims'),
      'aws-cli/1.18.69 Python/3.8.10 Linux/5.4.0 botocore/1.17.0',
    );
    const v2 = await fakeAws(
      join(work, 'aws-v2'),
      'aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12 prompt/off',
    );
    const path = [join(work, 'pyenv-shims'), join(work, 'aws-v2'), process.env.PATH].join(
      delimiter,
    );
    const done = await runCli(['check', '--preset', 'aws'], { ...process.env, PATH: path }, work);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(`${v1} is aws-cli/1.18.69`);
    expect(done.stderr).toContain('AWS CLI version 1 has no `aws sso login`');
    expect(done.stderr).toContain(`${v2} (aws-cli/2.9.19) is recent enough`);
    expect(done.stderr).toContain(`--program ${v2}`);
    expect(done.stderr).not.toMatch(/\n\s+at /);
    // Refused before any lab, sandbox or report exists.
    expect(done.stdout).toBe('');
  });

  it('accepts version 2 named with --program while version 1 stays first on PATH', async () => {
    const v2 = join(work, 'aws-v2', 'aws');
    const path = [join(work, 'pyenv-shims'), process.env.PATH].join(delimiter);
    const done = await runCli(
      ['check', '--preset', 'aws', '--program', v2, '--scenario', 'approve'],
      { ...process.env, PATH: path },
      work,
    );
    // The stand-in asks nothing of the lab: inconclusive, in its own words.
    expect(done.code).toBe(3);
    expect(done.stdout).toContain('the program said (approve):');
    expect(done.stdout).toContain('fake aws: sso login --profile lab --no-browser');
  });
});

describe.skipIf(!existsSync(AWS))(`the aws preset with Debian's ${AWS}`, () => {
  it("never reads or touches the user's own ~/.aws or AWS_* variables", {
    timeout: 120_000,
  }, async () => {
    // A decoy user: a profile of the same name pointing at another region and start URL, keys
    // in ~/.aws/credentials and in the environment. Were any of it read, the CLI would go to
    // eu-west-3 (refused by the proxy) or sign with the decoy keys.
    const home = join(work, 'decoy-home');
    await mkdir(join(home, '.aws'), { recursive: true });
    const config = join(home, '.aws', 'config');
    const credentials = join(home, '.aws', 'credentials');
    await writeFile(
      config,
      '[profile lab]\nsso_session = decoy\nsso_account_id = 999999999999\nsso_role_name = Decoy\nregion = eu-west-3\n\n[sso-session decoy]\nsso_start_url = https://decoy.awsapps.com/start\nsso_region = eu-west-3\n',
    );
    await writeFile(
      credentials,
      '[lab]\naws_access_key_id = AKIADECOYDECOYDECOY1\naws_secret_access_key = decoydecoydecoydecoydecoydecoydecoydecoy\n',
    );
    const before = {
      config: await stat(config),
      credentials: await stat(credentials),
      listing: await listing(home),
    };
    const output = join(work, 'decoy.json');
    const done = await runCli(
      [
        'check',
        '--preset',
        'aws',
        '--program',
        AWS,
        '--interval',
        '1',
        '--allow-scope',
        'sso:account:access',
        '--scenario',
        'approve',
        '--format',
        'json',
        '--output',
        output,
      ],
      {
        ...process.env,
        HOME: home,
        AWS_PROFILE: 'lab',
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_ACCESS_KEY_ID: 'AKIADECOYDECOYDECOY2',
        AWS_SECRET_ACCESS_KEY: 'decoydecoydecoydecoydecoydecoydecoydecoy',
        AWS_REGION: 'eu-west-3',
        AWS_DEFAULT_REGION: 'eu-west-3',
      },
      work,
    );
    const report = JSON.parse(await readFile(output, 'utf8')) as {
      findings: { check: string }[];
      scenarios: { exitCode: number; egress?: unknown[] }[];
      evidence: { runs: { events: { type: string; host?: string; operation?: string }[] }[] };
    };
    const context = `${done.stdout}\n${done.stderr}`;
    expect(done.code, context).toBe(1);
    expect(report.scenarios[0]?.exitCode, context).toBe(0);
    expect(report.scenarios[0]?.egress, context).toBeUndefined();
    expect([...new Set(report.findings.map((f) => f.check))].sort()).toEqual([
      'poll-interval',
      'secret-at-rest',
    ]);
    const events = report.evidence.runs[0]?.events.filter((e) => e.type === 'request') ?? [];
    expect(events.map((e) => e.operation)).toEqual(
      expect.arrayContaining([
        'RegisterClient',
        'StartDeviceAuthorization',
        'CreateToken',
        'GetRoleCredentials',
        'GetCallerIdentity',
      ]),
    );
    for (const event of events) expect(DIALECT_HOSTS.aws).toContain(event.host);
    // Nothing written, nothing added, nothing changed in the decoy home.
    expect(await listing(home)).toEqual(before.listing);
    expect((await stat(config)).mtimeMs).toBe(before.config.mtimeMs);
    expect((await stat(credentials)).mtimeMs).toBe(before.credentials.mtimeMs);
    expect(JSON.stringify(report)).not.toContain('DECOY');
  });

  it("reports a configuration the CLI rejects in the CLI's own words, as inconclusive", {
    timeout: 60_000,
  }, async () => {
    // A task can bring its own configuration (the wrapper leaves an existing one alone).
    const dir = join(work, 'own-config');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'aws-config'), '[profile lab]\nsso_session = nowhere\n');
    await writeFile(
      join(dir, 'policy.yaml'),
      `version: 1\ntasks:\n  aws:\n    preset: aws\n    program: ${AWS}\n    env: { AWS_CONFIG_FILE: ./aws-config }\nscenarios: [approve]\n`,
    );
    const done = await runCli(['check', '--policy', 'policy.yaml'], process.env, dir);
    expect(done.code, done.stderr).toBe(3);
    expect(done.stdout).toContain('INCONCLUSIVE');
    expect(done.stdout).toContain('the program said (approve):');
    expect(done.stdout).toContain('The specified sso-session does not exist: "nowhere"');
    expect(done.stdout).not.toContain('●');
  });
});

async function listing(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.map((entry) => relative(root, join(entry.parentPath, entry.name))).sort();
}
