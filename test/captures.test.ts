// The capture corpus (test/fixtures/captures): HARs that `check --save-har` wrote while CLI
// fixtures and real clients (gh, az, MSAL Python, oidc-agent, in their providers' dialects
// through the egress proxy) ran against the lab, and malformed ones made from them. Beside each
// is its ground truth (`scripts/captures.ts` derives it from the lab's own verdict on the same
// run). `analyze` must find every expected finding (recall 1.0) and nothing else, and no HAR
// may hold a credential: the lab's are replaced by stand-ins.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

const DIR = fileURLToPath(new URL('fixtures/captures/', import.meta.url));

interface Truth {
  about: string;
  analyze: string[];
  expected: string[];
  exit?: number;
  stderr?: string;
  notes?: string[];
}

const cases = readdirSync(DIR)
  .filter((name) => name.endsWith('.truth.json'))
  .map((name) => ({
    name: name.replace(/\.truth\.json$/, ''),
    truth: JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Truth,
  }));

const tally = { expected: 0, found: 0, false: [] as string[] };

describe.concurrent('analyze on the capture corpus', () => {
  it('has the corpus: every defect class traffic decides, clean runs, real clients, malformed files', () => {
    const expected = new Set(
      cases.flatMap(({ truth }) => truth.expected.map((line) => line.split(': ').at(-1))),
    );
    expect([...expected].sort()).toEqual([
      'auto-restart',
      'error-backoff',
      'excess-scope',
      'poll-after-terminal',
      'poll-interval',
      'poll-slow-down',
      'refresh-issued',
      'secret-in-telemetry',
      'silent-refresh',
      'slow-down-abort',
    ]);
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['good', 'real-gh', 'real-az', 'real-msal-python', 'real-oidc-agent']),
    );
  });

  for (const { name, truth } of cases) {
    it(`${name}: ${truth.about}`, async () => {
      const done = await runCli([
        'analyze',
        join(DIR, `${name}.har`),
        ...truth.analyze,
        '--format',
        'json',
      ]);
      if (truth.exit !== undefined) expect(done.code, done.stderr).toBe(truth.exit);
      if (truth.stderr) expect(done.stderr).toMatch(new RegExp(truth.stderr));
      expect(done.stderr).not.toMatch(/\n\s+at /);
      const report = done.stdout
        ? (JSON.parse(done.stdout) as {
            findings: { task: string; check: string }[];
            evidence: { runs: { notes: string[] }[] };
          })
        : { findings: [], evidence: { runs: [] } };
      const fired = [...new Set(report.findings.map((f) => `${f.task}: ${f.check}`))].sort();
      tally.expected += truth.expected.length;
      tally.found += truth.expected.filter((line) => fired.includes(line)).length;
      tally.false.push(...fired.filter((line) => !truth.expected.includes(line)));
      expect(fired).toEqual(truth.expected);
      const notes = report.evidence.runs.flatMap((run) => run.notes);
      for (const note of truth.notes ?? []) {
        expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(note))]));
      }
    });
  }

  it('a 2 GiB `text` field beside a flow: streamed past, the flow still judged', async () => {
    // The flow of malformed-out-of-order.har, then an answer whose text is 2 GiB long. The
    // file is sparse (the 2 GiB are a hole of NUL bytes), so the test costs reading time only.
    const source = JSON.parse(readFileSync(join(DIR, 'malformed-out-of-order.har'), 'utf8')) as {
      log: { entries: { startedDateTime: string }[] };
    };
    const work = await mkdtemp(join(tmpdir(), 'devicebound-2gib-'));
    try {
      const file = join(work, 'two-gib.har');
      const head =
        `{"log":{"version":"1.2","creator":{"name":"test","version":"1"},"entries":[` +
        `${source.log.entries.map((e) => JSON.stringify(e)).join(',')},` +
        `{"startedDateTime":"${source.log.entries[0]?.startedDateTime}","time":1,` +
        `"request":{"method":"GET","url":"https://cdn.example.com/huge.txt","headers":[]},` +
        `"response":{"status":200,"headers":[],"content":{"mimeType":"text/plain","text":"`;
      const tail = '"}}}]}}\n';
      const size = 2 * 1024 ** 3;
      const handle = await open(file, 'w');
      await handle.write(head, 0);
      await handle.truncate(Buffer.byteLength(head) + size);
      await handle.write(tail, Buffer.byteLength(head) + size);
      await handle.close();
      const done = await runCli(['analyze', file, '--format', 'json']);
      expect(done.stderr).not.toMatch(/\n\s+at /);
      const report = JSON.parse(done.stdout) as { findings: { check: string }[] };
      expect([...new Set(report.findings.map((f) => f.check))].sort()).toEqual([
        'poll-interval',
        'refresh-issued',
      ]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);

  it('no HAR holds a credential: every one the lab issued is a stand-in', () => {
    const fields =
      /"(?:device_code|user_code|access_token|refresh_token|id_token)"\s*:\s*"([^"]*)"/g;
    for (const name of readdirSync(DIR).filter((file) => file.endsWith('.har'))) {
      const text = readFileSync(join(DIR, name), 'utf8').replace(/\\"/g, '"');
      const values = [...text.matchAll(fields)].map((match) => match[1] ?? '');
      const forms = [
        ...text.matchAll(/(?:device_code|user_code|access_token|refresh_token)=([^&"\s]*)/g),
      ].map((match) => match[1] ?? '');
      for (const value of [...values, ...forms]) {
        expect(value, name).toMatch(/^devicebound-redacted-[a-z_]+-[0-9a-f]{24}(?:-cut-short)?$/);
      }
      // No JWT survives (a cut-short one included).
      expect(text, name).not.toMatch(/eyJhbGci/);
    }
  });
});

afterAll(() => {
  // Recall and false findings over the whole corpus, for the log.
  if (tally.expected > 0) {
    process.stdout.write(
      `capture corpus: recall ${(tally.found / tally.expected).toFixed(3)} (${tally.found}/${tally.expected}), ${tally.false.length} false findings\n`,
    );
  }
});
