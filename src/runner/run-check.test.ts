// The runner against a stand-in evidence source (no lab, no network): every scenario runs in
// its own copy of the working directory, the user's folder is left as it was, and kept
// sandboxes are reported beside the evidence, never in it.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evidence, ScenarioRun } from '../evidence/model.ts';
import { Secret } from '../evidence/secret.ts';
import type { Canary, ScenarioName } from '../lab/index.ts';
import type { Policy, TaskPolicy } from '../policy/types.ts';
import { runCheck } from './index.ts';
import type { EvidenceSource, ScenarioSource } from './source.ts';

/**
 * A source that answers nothing: it issues one access-token canary per scenario and hands it
 * to the program in `DEVICEBOUND_RESOURCE`, so the program can "leak" it.
 */
const standIn: EvidenceSource = {
  async start({ clientId }) {
    const token = new Secret(`canary-${randomBytes(16).toString('hex')}`);
    const started = performance.now();
    const canaries: Canary[] = [
      { kind: 'access_token', secret: token, issuedAt: 0, deviceCode: undefined },
    ];
    const events: ScenarioRun['events'] = [];
    const source: ScenarioSource = {
      issuer: 'http://127.0.0.1:9',
      resource: `http://127.0.0.1:9/${token.reveal()}`,
      clientId,
      proxy: undefined,
      interval: 0.5,
      tokenTtl: 0,
      now: () => Math.round((performance.now() - started) * 10) / 10,
      events: () => events,
      canaries: () => canaries,
      mark: () => {},
      describe: () => ({
        issuer: 'http://127.0.0.1:9',
        clientId,
        interval: 0.5,
        expiresIn: 600,
        tokenTtl: 0,
        slowDownPolls: [],
        faultPolls: {},
        autoDecision: null,
        issueRefreshTokens: false,
        allowRefresh: false,
      }),
      close: async () => {},
    };
    return source;
  },
};

/**
 * Writes the canary to `token-<scenario>.txt` in its working directory, waits for the other
 * scenarios to have done the same, and exits with the number of other scenarios' files it sees.
 */
const LEAKER = `
const fs = require('node:fs');
const own = 'token-' + process.env.DEVICEBOUND_SCENARIO + '.txt';
fs.writeFileSync(own, new URL(process.env.DEVICEBOUND_RESOURCE).pathname.slice(1));
setTimeout(() => {
  const others = fs.readdirSync('.').filter((n) => n.startsWith('token-') && n !== own);
  process.exitCode = others.length;
}, 400);
`;

const SCENARIOS: ScenarioName[] = ['approve', 'deny', 'session'];
let work: string;
let project: string;

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'devicebound-runner-test-')));
  project = join(work, 'project');
  await mkdir(join(project, 'docs'), { recursive: true });
  await mkdir(join(project, '.git'), { recursive: true });
  await writeFile(join(project, 'README'), 'a project\n');
  await writeFile(join(project, 'docs', 'guide.md'), '# guide\n');
  await writeFile(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
});

afterAll(() => rm(work, { recursive: true, force: true }));

function policyFor(cwd: string): Policy {
  const task: TaskPolicy = {
    name: 'leak',
    run: [process.execPath, '-e', LEAKER],
    env: {},
    scopes: { allow: ['openid'] },
    session: 'ephemeral',
    refresh: 'forbidden',
    storage: 'none',
    timeoutMs: 10_000,
    stdin: undefined,
    cwd,
    source: undefined,
  };
  return {
    version: 1,
    clientId: 'devicebound-cli',
    failOn: 'low',
    tasks: [task],
    scenarios: SCENARIOS,
    interval: undefined,
    source: undefined,
  };
}

/** Every file and folder under `dir` with its size, mode, mtime and content. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      const { size, mode, mtimeMs } = await stat(path);
      const content = entry.isFile() ? await readFile(path, 'utf8') : '';
      return `${path} ${size} ${mode} ${mtimeMs} ${content}`;
    }),
  ).then((lines) => lines.sort());
}

describe('every scenario has its own working directory', () => {
  let evidence: Evidence;
  const kept: [string, ScenarioName, string][] = [];
  let before: string[];

  beforeAll(async () => {
    before = await listing(project);
    evidence = await runCheck(policyFor(project), {
      source: standIn,
      keepSandbox: true,
      onSandboxKept: (task, scenario, path) => kept.push([task, scenario, path]),
    });
  }, 30_000);

  afterAll(async () => {
    // Each kept sandbox sits in the run's folder: remove that, not only the sandboxes.
    for (const [, , path] of kept) await rm(dirname(path), { recursive: true, force: true });
  });

  it("leaves the user's folder exactly as it was", async () => {
    expect(await listing(project)).toEqual(before);
  });

  it("does not show a scenario the other scenarios' files", () => {
    const exits = evidence.runs.flatMap((run) => run.invocations.map((inv) => inv.exitCode));
    expect(exits).toEqual([0, 0, 0, 0]); // session runs twice
  });

  it('judges the files a scenario wrote there under root cwd, by relative path', () => {
    for (const run of evidence.runs) {
      const own = `token-${run.scenario}.txt`;
      for (const invocation of run.invocations) {
        expect(invocation.files.filter((f) => f.root === 'cwd').map((f) => f.path)).toEqual([own]);
        expect(invocation.hits.map((hit) => hit.location)).toEqual([
          expect.objectContaining({ type: 'file', root: 'cwd', path: own }),
        ]);
      }
    }
  });

  it('hands over the kept sandboxes, each holding its working copy, and keeps their paths out of the evidence', async () => {
    expect(kept.map(([task, scenario]) => `${task}/${scenario}`).sort()).toEqual(
      SCENARIOS.map((scenario) => `leak/${scenario}`).sort(),
    );
    const saved = JSON.stringify(evidence);
    for (const [, scenario, path] of kept) {
      expect(saved).not.toContain(path);
      const copy = join(path, 'cwd', 'project');
      expect((await readdir(copy)).sort()).toEqual(
        ['.git', 'README', 'docs', `token-${scenario}.txt`].sort(),
      );
    }
    for (const run of evidence.runs) expect(Object.keys(run)).not.toContain('sandbox');
  });
});

describe('a working directory past the copy limit', () => {
  it('is used in place, as before working copies, and every scenario notes it', async () => {
    const folder = join(work, 'big');
    await mkdir(folder);
    await writeFile(join(folder, 'data.bin'), Buffer.alloc(4096));
    const evidence = await runCheck(
      { ...policyFor(folder), scenarios: ['approve', 'deny'] },
      { source: standIn, workingCopyLimitBytes: 1024 },
    );
    for (const run of evidence.runs) {
      expect(run.notes).toContain(
        './: 4 KiB of files (.git and node_modules aside), more than the 1 KiB a scenario copies: the program ran in the working directory itself, where other scenarios see its files and what it writes stays',
      );
    }
    // Shared, as it always was: each program saw the other's file, and both files stay.
    expect(evidence.runs.map((run) => run.invocations[0]?.exitCode)).toEqual([1, 1]);
    expect((await readdir(folder)).sort()).toEqual([
      'data.bin',
      'token-approve.txt',
      'token-deny.txt',
    ]);
  }, 30_000);
});

describe("the session scenario's second task", () => {
  it('runs in a copy of its own working directory, in the same sandbox', async () => {
    const other = join(work, 'other');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'another project\n');
    const before = [await listing(project), await listing(other)];
    const base = policyFor(project);
    const [first] = base.tasks as [TaskPolicy];
    const kept = new Map<string, string>();
    const evidence = await runCheck(
      {
        ...base,
        tasks: [first, { ...first, name: 'leak-again', cwd: other }],
        scenarios: ['session'],
      },
      {
        source: standIn,
        keepSandbox: true,
        onSandboxKept: (task, scenario, path) => kept.set(`${task}/${scenario}`, path),
      },
    );
    try {
      const [run] = evidence.runs;
      expect(
        run?.invocations.map((inv) => [
          inv.task,
          inv.exitCode,
          inv.files.filter((f) => f.root === 'cwd').map((f) => `${f.change} ${f.path}`),
        ]),
      ).toEqual([
        ['leak', 0, ['created token-session.txt']],
        ['leak-again', 0, ['created token-session.txt']],
      ]);
      const sandbox = kept.get('leak/session') ?? '';
      expect((await readdir(join(sandbox, 'cwd', 'project'))).sort()).toContain(
        'token-session.txt',
      );
      expect((await readdir(join(sandbox, 'cwd-2', 'other'))).sort()).toEqual([
        'notes.txt',
        'token-session.txt',
      ]);
      expect([await listing(project), await listing(other)]).toEqual(before);
    } finally {
      for (const path of kept.values()) await rm(dirname(path), { recursive: true, force: true });
    }
  }, 30_000);
});
