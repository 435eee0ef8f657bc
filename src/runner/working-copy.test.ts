import { execFileSync } from 'node:child_process';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyWorkingDirectory, workingCopyPath } from './working-copy.ts';

let work: string;
let project: string;
let outside: string;

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'devicebound-working-copy-')));
  project = join(work, 'project');
  outside = join(work, 'outside');
  await mkdir(join(project, 'src', 'deep'), { recursive: true });
  await mkdir(join(project, '.git'), { recursive: true });
  await mkdir(join(project, 'node_modules', 'dep'), { recursive: true });
  await mkdir(join(project, 'packages', 'a', 'node_modules'), { recursive: true });
  await mkdir(join(project, 'run-folder'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(project, 'README'), 'hello\n');
  await writeFile(join(project, 'src', 'deep', 'cli.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  await writeFile(join(project, '.git', 'config'), '[core]\n');
  await writeFile(join(project, 'node_modules', 'dep', 'index.js'), 'export {};\n');
  await writeFile(join(project, 'run-folder', 'sandbox-file'), 'not the user’s\n');
  await writeFile(join(outside, 'secret.txt'), 'outside\n');
  // Links that stay inside the tree, one relative, one absolute, and one to a vendored folder.
  await symlink('src/deep/cli.sh', join(project, 'cli'));
  await symlink(join(project, 'README'), join(project, 'readme-absolute'));
  await symlink('node_modules/dep', join(project, 'dep'));
  // `..` stops at `/`, so this climbs out and back into the user's folder: in a copy, which sits
  // deeper, the same text would still reach the user's README.
  await symlink(`${'../'.repeat(12)}${project.slice(1)}/README`, join(project, 'src', 'climb'));
  // Links that lead out of it: by their text, to the root, and through another link.
  await symlink('../outside/secret.txt', join(project, 'up'));
  await symlink('/', join(project, 'root'));
  await symlink(outside, join(project, 'src', 'elsewhere'));
  await symlink('src/elsewhere/secret.txt', join(project, 'through'));
  execFileSync('mkfifo', [join(project, 'pipe')]);
});

afterAll(() => rm(work, { recursive: true, force: true }));

describe('copyWorkingDirectory', () => {
  it('copies files with their modes into a folder named like the original', async () => {
    const target = workingCopyPath(join(work, 'copy-1'), project);
    expect(target).toBe(join(work, 'copy-1', 'project'));
    const copy = await copyWorkingDirectory(project, target, {
      skip: new Set([join(project, 'run-folder')]),
    });
    expect(copy).toMatchObject({ path: target, copied: true });
    expect(await readFile(join(target, 'README'), 'utf8')).toBe('hello\n');
    const script = await stat(join(target, 'src', 'deep', 'cli.sh'));
    expect(script.mode & 0o777).toBe(0o755);
    // A copy, not a hard link: writing to it cannot change the user's file.
    expect(script.ino).not.toBe((await stat(join(project, 'src', 'deep', 'cli.sh'))).ino);
    // devicebound's own run folder is left out altogether.
    expect(await readdir(target)).not.toContain('run-folder');
  });

  it('links .git and node_modules (at any depth) to the originals instead of copying them', async () => {
    const target = join(work, 'copy-2', 'project');
    await copyWorkingDirectory(project, target);
    for (const vendored of ['.git', 'node_modules', 'packages/a/node_modules']) {
      expect((await lstat(join(target, vendored))).isSymbolicLink()).toBe(true);
      expect(await readlink(join(target, vendored))).toBe(join(project, vendored));
    }
    expect(await readFile(join(target, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe(
      'export {};\n',
    );
  });

  it('recreates links that stay inside, pointing into the copy; leaves out links that lead out', async () => {
    const target = join(work, 'copy-3', 'project');
    const copy = await copyWorkingDirectory(project, target);
    // Relative text kept; an absolute link into the tree made relative, so it stays in the copy.
    expect(await readlink(join(target, 'cli'))).toBe('src/deep/cli.sh');
    expect(await readlink(join(target, 'readme-absolute'))).toBe('README');
    expect(await readlink(join(target, 'dep'))).toBe('node_modules/dep');
    expect(await readlink(join(target, 'src', 'climb'))).toBe('../README');
    const names = await readdir(target);
    for (const out of ['up', 'root', 'through']) expect(names).not.toContain(out);
    expect((await readdir(join(target, 'src'))).sort()).toEqual(['climb', 'deep']);
    expect(copy.notes).toEqual([
      './pipe: FIFO, not copied',
      './root: symbolic link out of the working directory, not copied',
      './src/elsewhere: symbolic link out of the working directory, not copied',
      './through: symbolic link out of the working directory, not copied',
      './up: symbolic link out of the working directory, not copied',
    ]);
  });

  it.skipIf(process.getuid?.() === 0)(
    'leaves out what the user cannot read, with a note',
    async () => {
      const locked = join(project, 'locked');
      await writeFile(locked, 'x');
      await chmod(locked, 0o000);
      try {
        const copy = await copyWorkingDirectory(project, join(work, 'copy-4', 'project'));
        expect(copy.copied).toBe(true);
        expect(copy.notes).toContain('./locked: cannot be read (EACCES), not copied');
      } finally {
        await rm(locked, { force: true });
      }
    },
  );

  it('past the size limit copies nothing: the program runs in the folder itself, and a note says so', async () => {
    const target = join(work, 'copy-5', 'project');
    const copy = await copyWorkingDirectory(project, target, { limitBytes: 16 });
    expect(copy.copied).toBe(false);
    expect(copy.path).toBe(project);
    expect(copy.notes).toHaveLength(1);
    expect(copy.notes[0]).toMatch(
      /^\.\/: \d+ bytes of files \(\.git and node_modules aside\), more than the 16 bytes a scenario copies: the program ran in the working directory itself, where other scenarios see its files and what it writes stays$/,
    );
    await expect(stat(target)).rejects.toThrow();
  });
});
