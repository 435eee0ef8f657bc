import { describe, expect, it } from 'vitest';
import { argvFor } from './run-scenario.ts';

describe('argvFor: the command as it runs in the copy of the working directory', () => {
  it('keeps paths inside the folder relative, so the program runs its own copy', () => {
    expect(
      argvFor(['./bin/cli', 'login', './config.json'], '/work/app', '/sandbox/cwd/app'),
    ).toEqual(['./bin/cli', 'login', './config.json']);
  });

  it('makes a relative path out of the folder absolute: it does not exist beside the copy', () => {
    expect(
      argvFor(
        ['node', '../../tools/login.mjs', '--flag=../x', '../app/inside'],
        '/work/app',
        '/s/cwd/app',
      ),
    ).toEqual(['node', '/tools/login.mjs', '--flag=../x', '../app/inside']);
  });

  it('changes nothing when the program runs in the folder itself (no copy)', () => {
    expect(argvFor(['../x'], '/work/app', '/work/app')).toEqual(['../x']);
  });
});
