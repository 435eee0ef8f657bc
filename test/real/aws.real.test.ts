// `check` and `inventory` on the same AWS CLI sign-in: the sandbox home `aws sso login` and
// `aws sts get-caller-identity` left behind (kept with --keep-sandbox), as `inventory` reports
// it. The two commands must agree on what is cached: the same files, and every credential
// inventory fingerprints is a canary check found in that file. Not part of `npm test`: run
// with `npm run test:real` (needs `apt-get install awscli`).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.ts';
import { ROOT } from './clients.ts';

const AWS = '/usr/bin/aws';
const work = await mkdtemp(join(tmpdir(), 'devicebound-aws-real-'));
const kept: string[] = [];
afterAll(async () => {
  for (const dir of [work, ...kept]) await rm(dir, { recursive: true, force: true });
});

interface FileHit {
  location: { type: string; root?: string; path?: string };
  canary: string;
  kind: string;
}

describe.skipIf(!existsSync(AWS))('AWS CLI: check and inventory agree on what is cached', () => {
  it('after aws sso login and sts get-caller-identity: the same files, and every fingerprint inventory shows is a canary check found there', {
    timeout: 120_000,
  }, async () => {
    const checkJson = join(work, 'check.json');
    const checked = await runCli(
      [
        'check',
        '--policy',
        'test/fixtures/real/aws.yaml',
        '--scenario',
        'approve',
        '--keep-sandbox',
        '--format',
        'json',
        '--output',
        checkJson,
      ],
      process.env,
      ROOT,
    );
    const sandbox = /sandboxes kept for inspection:\n\s+(\S+)/.exec(checked.stderr)?.[1];
    expect(sandbox, checked.stderr).toBeDefined();
    kept.push(dirname(sandbox as string));
    expect(checked.code, checked.stdout).toBe(1);
    const home = join(sandbox as string, 'home');

    const inventoryJson = join(work, 'inventory.json');
    const inventoried = await runCli(
      ['inventory', '--home', home, '--format', 'json', '--output', inventoryJson],
      process.env,
      ROOT,
    );
    expect(inventoried.code, inventoried.stderr).toBe(1);

    const report = JSON.parse(await readFile(checkJson, 'utf8')) as {
      evidence: { runs: { invocations: { hits: FileHit[] }[] }[] };
    };
    const found = new Map<string, Set<string>>();
    for (const hit of report.evidence.runs[0]?.invocations.flatMap((i) => i.hits) ?? []) {
      if (hit.location.type !== 'file' || hit.location.root !== 'HOME') continue;
      const path = hit.location.path as string;
      if (!found.has(path)) found.set(path, new Set());
      found.get(path)?.add(hit.canary);
    }
    const inventory = JSON.parse(await readFile(inventoryJson, 'utf8')) as {
      entries: { tool: string; path: string; credentials: { fingerprint: string }[] }[];
    };
    const entries = inventory.entries.map((entry) => ({
      ...entry,
      path: relative(home, entry.path),
    }));
    expect(entries.every((entry) => entry.tool === 'aws')).toBe(true);
    // Three files: the client registration, the SSO token (with refresh token and client
    // secret) and the role credentials.
    expect(entries.map((entry) => entry.path).sort()).toEqual([...found.keys()].sort());
    expect(entries).toHaveLength(3);
    for (const entry of entries) {
      for (const { fingerprint } of entry.credentials)
        expect(found.get(entry.path), `${entry.path} ${fingerprint}`).toContain(fingerprint);
    }
  });
});
