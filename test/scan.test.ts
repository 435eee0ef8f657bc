// `devicebound scan` end to end: folders, archives (nested, broken, bombs, unsafe names), special
// files, baselines, canaries, host defaults, every reporter, and never a raw secret in output.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint, Secret } from '../src/evidence/secret.ts';
import { joinPieces } from '../src/report/kit/index.ts';
import { findSecrets } from '../src/scan/detect.ts';
import { runScan } from '../src/scan/index.ts';
import { renderScan, SCAN_FORMATS } from '../src/scan/report/index.ts';
import { join as concat, fake, fakeJwt } from '../src/scan/rules/fake.ts';
import { RULES } from '../src/scan/rules/index.ts';
import { Walker, type WalkOptions } from '../src/scan/walk.ts';
import { buildNeedles } from '../src/search/needles.ts';
import { runCli } from './cli.ts';
import { gz, tar, zip } from './fixtures/scan/archives.ts';

const token = concat('gh', 'o_', fake(36));
const dirs: string[] = [];
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devicebound-scan-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) execFileSync('rm', ['-rf', dir]);
});

const isRoot = process.getuid?.() === 0;

describe('scan: archives', () => {
  it('opens zip, tar, tar.gz and gz, nested, and names members with !', async () => {
    const dir = workspace();
    const inner = zip([
      { name: 'logs/app.log', data: `start\nAuthorization: Bearer ${fake(40)}\n` },
    ]);
    const bundle = await tar([
      { name: 'inner.zip', data: inner },
      { name: 'notes.txt', data: `token ${token}\n` },
    ]);
    writeFileSync(join(dir, 'bundle.tar.gz'), gz(bundle));
    writeFileSync(
      join(dir, 'bundle.zip'),
      zip([{ name: 'logs/app.log', data: `x\n\ny ${token}` }]),
    );
    writeFileSync(join(dir, 'app.log.gz'), gz(`${token}\n`));
    const report = await runScan({ paths: [dir] });
    const where = report.findings.map((f) => [
      f.path.slice(dir.length + 1),
      f.archivePath,
      f.rule,
      f.line,
    ]);
    expect(where).toEqual([
      ['app.log.gz', 'app.log', 'github-token', 1],
      ['bundle.tar.gz', 'inner.zip!logs/app.log', 'bearer-header', 2],
      ['bundle.tar.gz', 'notes.txt', 'github-token', 1],
      ['bundle.zip', 'logs/app.log', 'github-token', 3],
    ]);
    expect(report.skipped).toEqual([]);
  });

  it('reports unsafe member names, broken archives and bombs in skipped, and goes on', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'evil.zip'),
      zip([
        { name: '../../etc/passwd', data: token },
        { name: 'ok.txt', data: token },
      ]),
    );
    writeFileSync(join(dir, 'broken.zip'), zip([{ name: 'a.txt', data: token }]).subarray(0, 40));
    writeFileSync(join(dir, 'broken.gz'), gz(`${token}\n`.repeat(1000)).subarray(0, 60));
    writeFileSync(
      join(dir, 'bomb.zip'),
      zip([{ name: 'zeros', data: Buffer.alloc(20 * 1024 * 1024) }]),
    );
    writeFileSync(join(dir, 'bomb.gz'), gz(Buffer.alloc(20 * 1024 * 1024)));
    writeFileSync(
      join(dir, 'many.zip'),
      zip(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, data: 'x' }))),
    );
    writeFileSync(join(dir, 'z-after.txt'), token);
    const report = await runScan({ paths: [dir], limits: { maxEntries: 20 } });
    const skipped = Object.fromEntries(
      report.skipped.map((s) => [s.path.slice(dir.length + 1), s.reason]),
    );
    expect(skipped['evil.zip!../../etc/passwd']).toMatch(/unsafe member name/);
    expect(skipped['broken.zip']).toMatch(/broken zip archive/);
    expect(skipped['broken.gz']).toMatch(/broken gzip archive/);
    expect(skipped['bomb.zip']).toMatch(/archive bomb guard: .*--max-ratio/);
    expect(skipped['bomb.gz']).toMatch(/archive bomb guard: .*--max-ratio/);
    expect(skipped['many.zip']).toMatch(/more than 20 members/);
    const found = report.findings.map(
      (f) => `${f.path.slice(dir.length + 1)}!${f.archivePath ?? ''}`,
    );
    expect(found).toContain('evil.zip!ok.txt');
    expect(found).toContain('z-after.txt!');
  });

  it('stops at the depth limit', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'deep.zip'),
      zip([{ name: 'a.zip', data: zip([{ name: 'b.txt', data: token }]) }]),
    );
    const shallow = await runScan({ paths: [dir], limits: { maxDepth: 1 } });
    expect(shallow.findings).toEqual([]);
    expect(shallow.skipped[0]?.reason).toMatch(/nested more than 1 layers deep/);
    const deep = await runScan({ paths: [dir], limits: { maxDepth: 2 } });
    expect(deep.findings.map((f) => f.archivePath)).toEqual(['a.zip!b.txt']);
  });
});

describe('scan: files and folders', () => {
  it('skips FIFOs (never opened), unreadable files, big files, excluded paths; survives link loops', async () => {
    const dir = workspace();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.txt'), token);
    symlinkSync('..', join(dir, 'sub', 'loop'));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    writeFileSync(join(dir, 'big.log'), Buffer.alloc(2 * 1024 * 1024 + 1, 0x20));
    writeFileSync(join(dir, 'secret.txt'), token);
    chmodSync(join(dir, 'secret.txt'), 0o000);
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'x.txt'), token);
    const report = await runScan({
      paths: [dir],
      exclude: ['node_modules'],
      limits: { maxFileBytes: 2 * 1024 * 1024 },
    });
    const skipped = Object.fromEntries(
      report.skipped.map((s) => [s.path.slice(dir.length + 1), s.reason]),
    );
    expect(skipped.pipe).toBe('named pipe (FIFO): not opened');
    expect(skipped['big.log']).toMatch(/larger than 2097152 bytes/);
    expect(skipped['sub/loop']).toMatch(/already scanned/);
    if (!isRoot) expect(skipped['secret.txt']).toMatch(/permission denied/);
    expect(report.findings.map((f) => f.path.slice(dir.length + 1))).toEqual(
      isRoot ? ['secret.txt', 'sub/a.txt'] : ['sub/a.txt'],
    );
  });

  it('suppresses baseline fingerprints and writes a baseline of fingerprints only', async () => {
    const dir = workspace();
    const other = concat('np', 'm_', fake(36, 3));
    writeFileSync(join(dir, 'a.txt'), `${token}\n${other}\n`);
    writeFileSync(
      join(dir, 'baseline.json'),
      JSON.stringify({ fingerprints: [fingerprint(token)] }),
    );
    const saved = join(dir, 'saved.json');
    const run = await runCli([
      'scan',
      join(dir, 'a.txt'),
      '--baseline',
      join(dir, 'baseline.json'),
      '--save-baseline',
      saved,
      '--format',
      'json',
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(['npm-token']);
    expect(report.summary.suppressed).toBe(1);
    const baseline = readFileSync(saved, 'utf8');
    expect(JSON.parse(baseline)).toEqual({ version: 1, fingerprints: [fingerprint(other)] });
    expect(baseline).not.toContain(other);
  });

  it('exact-value mode finds canaries in every encoding, and bad canary files are exit 2 without values', async () => {
    const dir = workspace();
    const value = fake(43, 2);
    writeFileSync(
      join(dir, 'canaries.json'),
      JSON.stringify({ version: 1, canaries: [{ kind: 'refresh_token', value }] }),
    );
    writeFileSync(
      join(dir, 'dump.bin'),
      Buffer.concat([Buffer.alloc(64), Buffer.from(value, 'utf16le'), Buffer.alloc(8)]),
    );
    writeFileSync(
      join(dir, 'log.txt'),
      `x\nb64=${Buffer.from(`rt:${value}`).toString('base64')}\n`,
    );
    const run = await runCli([
      'scan',
      dir,
      '--exclude',
      'canaries.json',
      '--canaries',
      join(dir, 'canaries.json'),
      '--format',
      'json',
    ]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(
      report.findings.map((f: { path: string; encoding: string; kind: string; line: number }) => [
        f.path.slice(dir.length + 1),
        f.encoding,
        f.kind,
        f.line,
      ]),
    ).toEqual([
      ['dump.bin', 'utf16le', 'refresh_token', 1],
      ['log.txt', 'base64', 'refresh_token', 2],
    ]);
    expect(run.stdout).not.toContain(value);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ kind: 'cookie', value }]));
    const bad = await runCli(['scan', dir, '--canaries', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: canaries\[0\]\.kind: kind must be one of/);
    expect(bad.stderr + bad.stdout).not.toContain(value);
  });

  it('--host-defaults scans histories (bash, zsh extended, fish) and says where it looked', async () => {
    const home = workspace();
    writeFileSync(join(home, '.bash_history'), `ls\ngh auth login --with-token ${token}\n`);
    writeFileSync(
      join(home, '.zsh_history'),
      `: 1700000000:0;curl -H 'Authorization: Bearer ${fake(40, 1)}' https://api.test\n`,
    );
    mkdirSync(join(home, '.local', 'share', 'fish'), { recursive: true });
    writeFileSync(
      join(home, '.local', 'share', 'fish', 'fish_history'),
      `- cmd: export NPM_TOKEN=${concat('np', 'm_', fake(36, 1))}\n  when: 1700000000\n`,
    );
    const run = await runCli(['scan', '--host-defaults'], {
      ...process.env,
      HOME: home,
      XDG_DATA_HOME: '',
      XDG_STATE_HOME: '',
      XDG_CONFIG_HOME: '',
      HISTFILE: '',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Places looked at:/);
    expect(run.stdout).toMatch(/scanned +bash history/);
    expect(run.stdout).toMatch(/absent +npm logs/);
    expect(run.stdout).toMatch(/github-token at .*\.bash_history:2:/);
    expect(run.stdout).toMatch(/bearer-header at .*\.zsh_history:1:/);
    expect(run.stdout).toMatch(/npm-token at .*fish_history:1:/);
  });

  it('exit 2 naming a missing path; exit 0 with no findings', async () => {
    const missing = await runCli(['scan', '/no/such/place']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\/no\/such\/place: cannot scan: does not exist/);
    const dir = workspace();
    writeFileSync(join(dir, 'clean.txt'), 'nothing here\n');
    const clean = await runCli(['scan', dir]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/0 findings in 1 file/);
  });
});

describe('scan: worker threads', () => {
  it('give the same report as one thread, in walk order, for rules and canaries', async () => {
    const dir = workspace();
    const lines: string[] = [];
    for (const rule of RULES) for (const sample of rule.samples.positive) lines.push(sample.text);
    for (let i = 0; i < 24; i++) {
      const sub = join(dir, `d${i % 4}`);
      mkdirSync(sub, { recursive: true });
      const body = Array.from({ length: 200 }, (_, n) =>
        n % 37 === i % 37 ? lines[n % lines.length] : `line ${n} of file ${i}`,
      );
      writeFileSync(join(sub, `f${i}.log`), `${body.join('\n')}\n`);
    }
    writeFileSync(join(dir, 'd1', 'bundle.zip'), zip([{ name: 'in.log', data: lines.join('\n') }]));
    writeFileSync(join(dir, 'd2', 'big.log'), Buffer.alloc(1024 * 1024 + 1, 0x20));
    execFileSync('mkfifo', [join(dir, 'd3', 'pipe')]);
    const walk = async (options: WalkOptions) => {
      const walker = new Walker(options);
      await walker.scanRoot(dir);
      return walker.finish();
    };
    const limits = { maxFileBytes: 1024 * 1024 };
    const one = await walk({ limits, jobs: 1 });
    const many = await walk({ limits, jobs: 3, parallelFromBytes: 0, waitForWorkers: true });
    expect(one.findings.length).toBeGreaterThan(24);
    expect(one.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/larger than 1048576 bytes/),
      'named pipe (FIFO): not opened',
    ]);
    expect(one.filesInWorkers).toBe(0);
    expect(many.filesInWorkers).toBeGreaterThan(0);
    expect({ ...many, filesInWorkers: 0 }).toEqual(one);

    const canary = concat('gh', 'o_', fake(36, 9));
    const needles = buildNeedles([{ kind: 'access_token', secret: new Secret(canary) }]);
    writeFileSync(join(dir, 'd0', 'canary.txt'), `x ${canary}\n`);
    const detector = { type: 'canaries', needles } as const;
    const exactOne = await walk({ detector, jobs: 1 });
    expect(exactOne.findings.map((f) => f.path.slice(dir.length + 1))).toEqual(['d0/canary.txt']);
    const exactMany = await walk({ detector, jobs: 2, parallelFromBytes: 0, waitForWorkers: true });
    expect(exactMany.filesInWorkers).toBeGreaterThan(0);
    expect({ ...exactMany, filesInWorkers: 0 }).toEqual(exactOne);
  });
});

describe('scan: reporters never print a raw secret', () => {
  it('every rule sample, in text, UTF-16LE, a zip and a file name, through every reporter', async () => {
    const dir = workspace();
    const values: string[] = [];
    const lines: string[] = [];
    for (const rule of RULES) {
      for (const sample of rule.samples.positive) {
        lines.push(sample.text);
        for (const match of findSecrets(sample.text, [rule])) values.push(match.value);
      }
    }
    values.push(token);
    writeFileSync(join(dir, 'all.log'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(dir, 'dump.dmp'),
      Buffer.concat([Buffer.alloc(32), Buffer.from(lines.join('\n'), 'utf16le')]),
    );
    writeFileSync(
      join(dir, 'bundle.zip'),
      zip([
        { name: `${token}.log`, data: lines.join('\n') },
        { name: `../${token}`, data: 'x' },
      ]),
    );
    writeFileSync(join(dir, `${token}.txt`), Buffer.alloc(10));
    execFileSync('mkfifo', [join(dir, `fifo-${token}`)]);
    const report = await runScan({ paths: [dir] });
    expect(report.findings.length).toBeGreaterThanOrEqual(3 * (values.length - 1));
    expect(report.skipped.length).toBeGreaterThanOrEqual(2);
    for (const format of SCAN_FORMATS) {
      const output = joinPieces(renderScan(format, report, { color: false }));
      for (const value of values)
        expect(output.includes(value), `${format} leaks a ${value.slice(0, 4)}… value`).toBe(false);
    }
    for (const format of SCAN_FORMATS) {
      const run = await runCli(['scan', dir, '--format', format]);
      expect(run.code).toBe(1);
      for (const value of values)
        expect((run.stdout + run.stderr).includes(value), format).toBe(false);
    }
  });

  it('JWT findings carry iss, aud, exp and validity, never the token or its signature', async () => {
    const dir = workspace();
    const jwt = fakeJwt({ iss: 'https://issuer.test', aud: 'cli', exp: 4102444800 });
    writeFileSync(join(dir, 'a.log'), `id_token=${jwt}\n`);
    const report = await runScan({ paths: [dir] });
    expect(report.findings[0]?.jwt).toEqual({
      iss: 'https://issuer.test',
      aud: 'cli',
      exp: '2100-01-01T00:00:00.000Z',
      valid: true,
    });
    const signature = jwt.split('.')[2] as string;
    for (const format of SCAN_FORMATS)
      expect(joinPieces(renderScan(format, report, { color: false }))).not.toContain(signature);
  });

  it('SARIF is valid 2.1.0; JUnit is well-formed XML; JSON has the stable fields', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'a.log'), `x ${token}\n`);
    writeFileSync(
      join(dir, 'b.zip'),
      zip([
        { name: 'c.txt', data: token },
        { name: '/abs', data: 'x' },
      ]),
    );
    const report = await runScan({ paths: [dir] });
    const schema = JSON.parse(
      readFileSync(
        fileURLToPath(new URL('./fixtures/report/sarif-schema-2.1.0.json', import.meta.url)),
        'utf8',
      ),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    formats.default(ajv);
    const validate = ajv.compile(schema);
    const sarif = JSON.parse(renderScan('sarif', report, { color: false }));
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0].results).toHaveLength(2);
    expect(sarif.runs[0].results[0].partialFingerprints.secretFingerprint).toBe(fingerprint(token));
    const junit = renderScan('junit', report, { color: false });
    expect(XMLValidator.validate(junit)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(junit);
    expect(parsed.testsuites['@_failures']).toBe('1');
    const json = JSON.parse(renderScan('json', report, { color: false }));
    expect(Object.keys(json)).toEqual([
      'tool',
      'createdAt',
      'mode',
      'rules',
      'findings',
      'skipped',
      'places',
      'summary',
    ]);
    expect(json.findings[0]).toMatchObject({
      rule: 'github-token',
      line: 1,
      column: 3,
      fingerprint: fingerprint(token),
    });
    expect(renderScan('markdown', report, { color: false })).toMatch(/\| high \| github-token \|/);
  });
});
