import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { policyFromFlags } from './from-flags.ts';
import { policyJsonSchema } from './json-schema.ts';
import { loadPolicy, parsePolicy } from './load.ts';
import { parseDuration } from './values.ts';

const GOOD = `version: 1
client_id: my-cli
fail_on: medium
tasks:
  list-repos:
    run: [my-cli, repos, list]
    env: { MYCLI_AUTH_URL: "{issuer}" }
    scopes: { allow: [repo:read] }
    session: reuse
    refresh: allowed
    storage: ["~/.config/my-cli/hosts.yml"]
    timeout: 90s
  whoami:
    run: my-cli whoami
scenarios: [approve, deny]
`;

describe('parsePolicy', () => {
  it('reads every field of DESIGN.md and applies the defaults', () => {
    const policy = parsePolicy(GOOD, '/home/dev/project/devicebound.yaml');
    expect(policy).toMatchObject({
      clientId: 'my-cli',
      failOn: 'medium',
      scenarios: ['approve', 'deny'],
    });
    expect(policy.tasks[0]).toMatchObject({
      name: 'list-repos',
      run: ['my-cli', 'repos', 'list'],
      env: { MYCLI_AUTH_URL: '{issuer}' },
      scopes: { allow: ['repo:read'] },
      session: 'reuse',
      refresh: 'allowed',
      storage: ['~/.config/my-cli/hosts.yml'],
      timeoutMs: 90_000,
      cwd: '/home/dev/project',
      source: { file: '/home/dev/project/devicebound.yaml', line: 5 },
    });
    expect(policy.tasks[1]).toMatchObject({
      run: ['my-cli', 'whoami'],
      scopes: { allow: ['openid', 'profile', 'email'] },
      session: 'ephemeral',
      refresh: 'forbidden',
      storage: 'none',
      timeoutMs: 60_000,
    });
  });

  it.each([
    // [policy text, the message: file, line and field]
    ['version: 2\ntasks: { a: { run: x } }\n', 'p.yaml:1: version: expected 1'],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    sesion: reuse\n',
      "p.yaml:5: tasks.a.sesion: unknown field 'sesion'",
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    timeout: soon\n',
      'p.yaml:5: tasks.a.timeout: expected a duration',
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    scopes: { allow: ["repo read"] }\n',
      'p.yaml:5: tasks.a.scopes.allow[0]: expected one scope',
    ],
    [
      'version: 1\ntasks: { a: { run: x } }\nscenarios: [approve, nope]\n',
      'p.yaml:3: scenarios[1]: expected one of "approve"',
    ],
    [
      'version: 1\nfail_on: urgent\ntasks: { a: { run: x } }\n',
      'p.yaml:2: fail_on: expected one of "info"',
    ],
    ['version: 1\ntasks: {}\n', 'p.yaml:2: tasks: expected at least one task'],
    ['version: 1\ntasks:\n  a: { run: [] }\n', 'p.yaml:3: tasks.a.run'],
    ['version: 1\ntasks: [\n', 'p.yaml:3: not valid YAML'],
    [
      'version: 1\nversion: 1\ntasks: { a: { run: x } }\n',
      'p.yaml:2: not valid YAML: Map keys must be unique',
    ],
    ['- just a list\n', 'p.yaml:1: (top level): expected object'],
    // v2: presets, dialects and played hosts.
    [
      'version: 1\ntasks:\n  a:\n    preset: ghh\n',
      "p.yaml:3: tasks.a.preset: unknown preset 'ghh'; expected one of gh, az",
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    dialect: google\n',
      'p.yaml:5: tasks.a.dialect: expected one of "generic", "github", "microsoft"',
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    hosts: []\n',
      'p.yaml:5: tasks.a.hosts: expected at least one host name',
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    hosts:\n      - github.com\n      - 10.0.0.0/8\n',
      'p.yaml:7: tasks.a.hosts[1]: expected a DNS host name such as github.com (no IP address, range, wildcard or port)',
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    hosts: ["*.github.com"]\n',
      'p.yaml:5: tasks.a.hosts[0]: expected a DNS host name',
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    hosts: [127.0.0.1]\n',
      'p.yaml:5: tasks.a.hosts[0]: expected a DNS host name',
    ],
    [
      'version: 1\ntasks:\n  a:\n    run: x\n    program: gh\n',
      'p.yaml:3: tasks.a.program: program only goes with a preset',
    ],
    [
      'version: 1\ntasks:\n  a:\n    scopes: { allow: [x] }\n',
      'p.yaml:3: tasks.a.run: expected the command',
    ],
  ])('refuses %j naming file, line and field', (text, message) => {
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(UsageError);
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(message);
  });
});

describe('presets', () => {
  it('fills a task from a preset; every field given overrides it', () => {
    const policy = parsePolicy(
      'version: 1\ntasks:\n  gh-login:\n    preset: gh\n    program: /opt/gh/bin/gh\n    scopes: { allow: [repo] }\n    env: { GH_BROWSER: echo }\n  az:\n    preset: az\n    hosts: [login.microsoftonline.com]\n    timeout: 30s\n',
      'p.yaml',
    );
    const [gh, az] = policy.tasks;
    expect(gh).toMatchObject({
      preset: 'gh',
      program: '/opt/gh/bin/gh',
      dialect: 'github',
      hosts: ['github.com', 'api.github.com'],
      clientId: '178c6fc778ccc68e1d6a',
      requestedScopes: ['repo', 'read:org', 'gist'],
      scopes: { allow: ['repo'] },
      env: expect.objectContaining({ GH_BROWSER: 'echo', GH_NO_UPDATE_NOTIFIER: '1' }),
    });
    expect(gh?.run.at(-1)).toBe('/opt/gh/bin/gh');
    expect(az).toMatchObject({
      dialect: 'microsoft',
      hosts: ['login.microsoftonline.com'],
      timeoutMs: 30_000,
      clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    });
  });

  it('a dialect without hosts plays its stock hosts', () => {
    const [task] = parsePolicy(
      'version: 1\ntasks:\n  a:\n    run: x\n    dialect: github\n',
      'p.yaml',
    ).tasks;
    expect(task?.hosts).toEqual(['github.com', 'api.github.com']);
  });

  it('--preset makes a one-task policy; an unknown one is exit 2 naming the flag', async () => {
    const policy = await policyFromFlags({ command: [], preset: 'gh', allowScope: ['repo'] });
    expect(policy.tasks[0]).toMatchObject({ name: 'gh', preset: 'gh', dialect: 'github' });
    await expect(policyFromFlags({ command: [], preset: 'nope' })).rejects.toThrow(
      "--preset: unknown preset 'nope'",
    );
    await expect(policyFromFlags({ command: ['x'], preset: 'gh' })).rejects.toThrow('--preset');
    await expect(policyFromFlags({ command: ['x'], program: 'gh' })).rejects.toThrow(
      '--program goes with --preset',
    );
    const egress = await policyFromFlags({
      command: ['x'],
      allowEgress: ['Telemetry.Example.com', '*.example.net'],
      refuseEgress: true,
    });
    expect(egress.tasks[0]?.egress).toEqual({
      mode: 'refuse',
      allow: ['telemetry.example.com', '*.example.net'],
    });
    await expect(policyFromFlags({ command: ['x'], allowEgress: ['10.0.0.0/8'] })).rejects.toThrow(
      "--allow-egress: expected a host name or a *.domain glob, got '10.0.0.0/8'",
    );
  });
});

describe('policyFromFlags', () => {
  it('makes a one-task policy from a command and flags', async () => {
    const policy = await policyFromFlags({
      command: ['/usr/bin/my-cli', 'login'],
      allowScope: ['repo:read'],
      scenario: ['approve', 'approve', 'deny'],
      env: ['MYCLI_URL={issuer}'],
      timeout: '10s',
      failOn: 'high',
    });
    expect(policy.tasks).toHaveLength(1);
    expect(policy.tasks[0]).toMatchObject({
      name: 'my-cli',
      run: ['/usr/bin/my-cli', 'login'],
      env: { MYCLI_URL: '{issuer}' },
      // Exactly the scopes named: --allow-scope replaces the defaults, as scopes.allow does.
      scopes: { allow: ['repo:read'] },
      timeoutMs: 10_000,
    });
    const defaults = await policyFromFlags({ command: ['/usr/bin/my-cli', 'login'] });
    expect(defaults.tasks[0]?.scopes).toEqual({ allow: ['openid', 'profile', 'email'] });
    expect(policy.scenarios).toEqual(['approve', 'deny']);
    expect(policy.failOn).toBe('high');
  });

  it('names the task after the script when the command is an interpreter', async () => {
    const named = async (command: string[]) => (await policyFromFlags({ command })).tasks[0]?.name;
    expect(await named(['node', '--no-warnings', 'bin/my-cli.mjs', 'login'])).toBe('my-cli');
    expect(await named(['python3', 'tools/sign_in.py'])).toBe('sign_in');
    expect(await named(['gh', 'auth', 'login'])).toBe('gh');
  });

  it('runs every scenario by default', async () => {
    const policy = await policyFromFlags({ command: ['x'] });
    expect(policy.scenarios).toEqual([
      'approve',
      'deny',
      'expire',
      'slow-down',
      'server-error',
      'session',
      'fault',
    ]);
  });

  it('refuses bad flags with the flag named', async () => {
    await expect(policyFromFlags({ command: ['x'], env: ['not a pair'] })).rejects.toThrow(
      '--env: expected NAME=VALUE',
    );
    await expect(policyFromFlags({ command: ['x'], timeout: 'forever' })).rejects.toThrow(
      '--timeout',
    );
    await expect(policyFromFlags({ command: [] }, tmpdir())).rejects.toThrow(
      /give a command after --/,
    );
  });

  it('reads a policy file and refuses a file that does not exist, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'devicebound-policy-'));
    try {
      await writeFile(join(dir, 'devicebound.yaml'), GOOD);
      const policy = await policyFromFlags({ command: [] }, dir);
      expect(policy.tasks.map((task) => task.name)).toEqual(['list-repos', 'whoami']);
      await expect(loadPolicy(join(dir, 'missing.yaml'))).rejects.toThrow(
        `${join(dir, 'missing.yaml')}: cannot read the policy file (ENOENT)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the published JSON Schema', () => {
  it('is what the code generates (run npm run schemas after changing the policy schema)', async () => {
    const published = JSON.parse(
      await readFile(
        new URL('../../schemas/devicebound.policy.schema.json', import.meta.url),
        'utf8',
      ),
    );
    expect(published).toEqual(policyJsonSchema());
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    [45, 45_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
