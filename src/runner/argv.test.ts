import { join, parse } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argvFor } from './run-scenario.ts';

// Made-up folders under the file system's root: nothing is read, only paths are computed.
const ROOT = parse(process.cwd()).root;
const project = join(ROOT, 'projects', 'app');
const copy = join(ROOT, 'sandbox', 'cwd', 'app');

describe('argvFor: the command as it runs in the copy of the working directory', () => {
  it('keeps paths inside the folder relative, so the program runs its own copy', () => {
    expect(argvFor(['./bin/cli', 'login', './config.json'], project, copy)).toEqual([
      './bin/cli',
      'login',
      './config.json',
    ]);
  });

  it('makes a relative path out of the folder absolute: it does not exist beside the copy', () => {
    expect(
      argvFor(['node', '../../tools/login.mjs', '--flag=../x', '../app/inside'], project, copy),
    ).toEqual(['node', join(ROOT, 'tools', 'login.mjs'), '--flag=../x', '../app/inside']);
  });

  it('changes nothing when the program runs in the folder itself (no copy)', () => {
    expect(argvFor(['../x'], project, project)).toEqual(['../x']);
  });
});
