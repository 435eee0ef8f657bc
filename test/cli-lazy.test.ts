// The CLI loads each command's modules only when that command runs (src/cli/main.ts): `scan`
// and `inventory` must not pay at start-up for the eleven checks and their report, which only
// `check` needs. A preload records every module the process resolves (Node's in-thread
// `module.registerHooks`, stable on Node 24), and the test reads the list.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY } from './cli.ts';

const RECORDER = fileURLToPath(new URL('./fixtures/cli/record-modules.ts', import.meta.url));
const SRC = new URL('../src/', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'devicebound-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every module URL that `devicebound …args` loads. */
function urlsLoadedBy(args: string[]): string[] {
  const file = join(dir, `${args.join('-').replaceAll('/', '_')}.json`);
  const run = spawnSync(process.execPath, ['--import', RECORDER, CLI_ENTRY, ...args], {
    env: { ...process.env, DEVICEBOUND_MODULES_FILE: file },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8')) as string[];
}

/** The source modules (`src/…`) that `devicebound …args` loads. */
function modulesLoadedBy(args: string[]): string[] {
  return urlsLoadedBy(args)
    .filter((url) => url.startsWith(SRC))
    .map((url) => url.slice(SRC.length));
}

describe('lazy loading of the commands', () => {
  it.each([
    ['scan', 'cli/scan.ts'],
    ['inventory', 'cli/inventory.ts'],
  ])('`%s --help` loads no check module and not the check report', (command, own) => {
    const loaded = modulesLoadedBy([command, '--help']);
    // The recorder works: the command's own module is in the list.
    expect(loaded).toContain(own);
    expect(loaded.filter((path) => path.startsWith('checks/'))).toEqual([]);
    expect(loaded.filter((path) => /^report\/[^/]+\.ts$/.test(path))).toEqual([]);
  });

  it('`--version` loads no command at all', () => {
    const loaded = modulesLoadedBy(['--version']);
    expect(loaded).toContain('cli/main.ts');
    expect(loaded.filter((path) => /^cli\/(?!main|run)/.test(path))).toEqual([]);
  });

  it('`scan` of a folder without archives loads no archive reader (tar-stream, yauzl)', () => {
    const folder = join(dir, 'plain');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'nothing here\n');
    const urls = urlsLoadedBy([
      'scan',
      '--format',
      'json',
      '--output',
      join(dir, 'scan.json'),
      folder,
    ]);
    expect(urls.some((url) => url.includes('/scan/stream.ts'))).toBe(true);
    expect(urls.filter((url) => /node_modules\/(tar-stream|yauzl)\//.test(url))).toEqual([]);
    // The recorder sees them when an archive is met (so the list above can say they were not).
    const tarball = join(dir, 'plain.tar');
    expect(spawnSync('tar', ['-cf', tarball, '-C', folder, 'notes.txt']).status).toBe(0);
    const withArchive = urlsLoadedBy([
      'scan',
      '--format',
      'json',
      '--output',
      join(dir, 'tar.json'),
      tarball,
    ]);
    expect(withArchive.some((url) => /node_modules\/tar-stream\//.test(url))).toBe(true);
  });

  it('`check --help` loads no check either: they load once the programs have run', () => {
    const loaded = modulesLoadedBy(['check', '--help']);
    expect(loaded).toContain('cli/check.ts');
    expect(loaded.filter((path) => path.startsWith('checks/'))).toEqual([]);
  });
});
