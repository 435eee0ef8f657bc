// The npm package as users get it: `npm pack`, then the tarball installed into an empty folder
// outside this repository, and used from there only: the CLI (`--version`, `demo`), the
// `devicebound/lab` and `devicebound/client` entry points from an ESM script, and the public
// types from a TypeScript file compiled with `tsc --noEmit`. The tarball holds what `files`
// says and nothing else: the built code, the bin, the schemas, the preset wrappers and samples.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../src/policy/presets.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };
/** npm and npx of the Node.js running the tests (not whatever npm is first on PATH). */
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;

let work: string;
let tarball: string;
let files: string[];
let size: number;
let app: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'devicebound-package-'));
  // The build is `npm test`'s first step; packing does not build again.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: ROOT,
      env: { ...NPM_ENV, PATH },
      encoding: 'utf8',
    }),
  ) as { filename: string; size: number; files: { path: string }[] }[];
  const [entry] = packed;
  if (!entry) throw new Error('npm pack gave no tarball');
  tarball = join(work, entry.filename);
  files = entry.files.map((file) => file.path).sort();
  size = entry.size;
  app = join(work, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'uses-devicebound', private: true, type: 'module' }),
  );
  // Dependencies from the registry (the local cache first): only the tarball's own.
  execFileSync('npm', ['install', '--prefer-offline', '--no-package-lock', tarball], {
    cwd: app,
    env: { ...NPM_ENV, PATH },
    stdio: 'ignore',
  });
}, 240_000);
afterAll(() => rm(work, { recursive: true, force: true }));

/** Runs a command in the app folder, with the tests' Node.js first on PATH. */
function inApp(command: string, args: string[], timeout = 60_000) {
  return spawnSync(command, args, {
    cwd: app,
    env: { ...process.env, PATH, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout,
  });
}

describe('the npm package', () => {
  it('holds what `files` says and nothing else', () => {
    const allowed =
      /^(?:package\.json|README\.md|LICENSE|bin\/|dist\/|schemas\/|examples\/|samples\/)/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    // No sources, tests or fixtures; no TypeScript but declarations.
    expect(files.filter((file) => /\.test\.|\/fixtures\/|^src\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    for (const needed of [
      'bin/devicebound.js',
      'dist/cli/run.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/lab/index.js',
      'dist/lab/index.d.ts',
      'dist/client/index.js',
      'dist/client/index.d.ts',
      'schemas/devicebound.policy.schema.json',
      'samples/leaky-cli.mjs',
      'examples/device-login.mjs',
      'README.md',
      'LICENSE',
    ])
      expect(files).toContain(needed);
    // Every wrapper a preset runs ships (the npm-client wrappers, which need devDependencies,
    // do not).
    for (const preset of Object.values(PRESETS)) {
      for (const arg of preset.run) {
        const at = arg.indexOf('/examples/real/');
        if (at !== -1) expect(files, preset.name).toContain(arg.slice(at + 1));
      }
    }
    expect(files.filter((file) => /^examples\/real\/.*\.mjs$/.test(file))).toEqual([]);
    expect(size).toBeLessThan(2 * 1024 * 1024);
  });

  it('is installed from the tarball, not linked to this repository', async () => {
    const installed = join(app, 'node_modules', 'devicebound');
    expect((await stat(installed)).isDirectory()).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
  });

  it('npx devicebound --version', () => {
    const done = inApp('npx', ['--no-install', 'devicebound', '--version']);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('npx devicebound demo: the lab, the bundled samples, a real report', {
    timeout: 200_000,
  }, () => {
    const done = inApp('npx', ['--no-install', 'devicebound', 'demo'], 180_000);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/verdict\s+PASS: no findings\s+FAIL: \d+ findings/);
    expect(existsSync(join(app, 'devicebound-report.html'))).toBe(true);
  });

  it('devicebound/lab and devicebound/client from an ESM script', async () => {
    await writeFile(
      join(app, 'use.mjs'),
      `import { startLab } from 'devicebound/lab';
import { authorize } from 'devicebound/client';
const lab = await startLab({ scenario: 'approve', interval: 1 });
const session = await authorize({
  issuer: lab.issuer,
  clientId: lab.clientId,
  scope: 'read',
  onPrompt() {},
});
console.log(JSON.stringify({ type: typeof authorize, token: session.accessToken === undefined ? 'missing' : 'present' }));
await lab.close();
`,
    );
    const done = inApp(process.execPath, ['use.mjs']);
    expect(done.status, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ type: 'function', token: 'present' });
  });

  it('the public types, compiled with tsc --noEmit', async () => {
    await writeFile(
      join(app, 'use.ts'),
      `import { type Lab, type LabOptions, startLab } from 'devicebound/lab';
import { authorize, type AuthorizeOptions } from 'devicebound/client';

const options: LabOptions = { scenario: 'deny', interval: 1 };
const lab: Lab = await startLab(options);
const authorizeOptions: AuthorizeOptions = {
  issuer: lab.issuer,
  clientId: lab.clientId,
  scope: ['read'],
  onPrompt: () => undefined,
};
void authorize(authorizeOptions);
// @ts-expect-error: a scenario the lab does not have
const wrong: LabOptions = { scenario: 'sometimes' };
void wrong;
await lab.close();
`,
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['use.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const done = inApp(process.execPath, [tsc, '-p', 'tsconfig.json'], 120_000);
    expect(done.status, `${done.stdout}${done.stderr}`).toBe(0);
  });

  it('says what it holds (for the note)', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      files: string[];
    };
    console.log(
      `npm package: ${files.length} files, ${(size / 1024).toFixed(0)} KiB packed; files: ${manifest.files.join(' ')}`,
    );
    expect(files.length).toBeGreaterThan(50);
  });
});
