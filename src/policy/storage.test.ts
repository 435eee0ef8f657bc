import { matchesGlob as nodeMatchesGlob } from 'node:path/posix';
import { describe, expect, it } from 'vitest';
import type { RootName } from '../evidence/model.ts';
import { matchesGlob, storageAllows } from './storage.ts';
import type { TaskPolicy } from './types.ts';

describe('matchesGlob', () => {
  it.each([
    // [path, glob, matches?, why]
    ['mycli/token.json', 'mycli/*.json', true, '* is any name within one folder'],
    ['mycli/sub/token.json', 'mycli/*.json', false, '* does not cross a /'],
    ['mycli/sub/token.json', 'mycli/**/*.json', true, '** is any number of folders'],
    ['mycli/token.json', 'mycli/**/*.json', true, '** may be no folder at all'],
    ['mycli/token.json', 'mycli/**', true, 'a trailing ** is everything below'],
    ['mycli/tok1.json', 'mycli/tok?.json', true, '? is one character'],
    ['mycli/tok12.json', 'mycli/tok?.json', false, '? is exactly one character'],
    ['.config/mycli/token.json', '**', true, 'a leading dot is not special'],
    ['mycliXtoken.json', 'mycli.token.json', false, 'a dot is only a dot'],
    ['token.json', 'token.json', true, 'a plain name matches itself'],
    ['token.json.bak', 'token.json', false, 'a glob matches the whole path'],
  ])('%s ~ %s → %s (%s)', (path, glob, matches) => {
    expect(matchesGlob(path, glob)).toBe(matches);
  });

  it("agrees with node's path.matchesGlob where neither treats a dot specially", () => {
    const paths = ['a/b/c.json', 'a/c.json', 'a/b', 'x/y/z/w.txt', 'c.json'];
    const globs = ['a/*.json', 'a/**/*.json', '**/*.json', 'a/?', '*/*/*/*.txt', '**', 'c.json'];
    for (const path of paths) {
      for (const glob of globs) expect(matchesGlob(path, glob)).toBe(nodeMatchesGlob(path, glob));
    }
  });
});

describe('storageAllows', () => {
  const cases: [TaskPolicy['storage'], RootName, string, boolean, string][] = [
    // [storage, root, path, allowed?, why]
    [['~/.config/mycli/*'], 'HOME', '.config/mycli/hosts.yml', true, '~/ is the sandbox HOME'],
    [
      ['~/.config/mycli/*'],
      'XDG_CONFIG_HOME',
      'mycli/hosts.yml',
      true,
      'XDG_CONFIG_HOME is ~/.config',
    ],
    [['~/.cache/mycli/**'], 'XDG_CACHE_HOME', 'mycli/a/b', true, 'XDG_CACHE_HOME is ~/.cache'],
    [['~/.local/share/x/*'], 'XDG_DATA_HOME', 'x/t', true, 'XDG_DATA_HOME is ~/.local/share'],
    [['~/.local/state/x/*'], 'XDG_STATE_HOME', 'x/t', true, 'XDG_STATE_HOME is ~/.local/state'],
    [['.mycli/token'], 'cwd', '.mycli/token', true, 'other globs are relative to the cwd'],
    [['./.mycli/token'], 'cwd', '.mycli/token', true, 'a leading ./ is the cwd too'],
    [['.mycli/token'], 'HOME', '.mycli/token', false, 'a cwd glob does not allow a HOME file'],
    [['~/.mycli/token'], 'cwd', '.mycli/token', false, 'a HOME glob does not allow a cwd file'],
    [['~/**', '**'], 'TMPDIR', 'token', false, 'no glob reaches TMPDIR'],
    ['none', 'HOME', '.config/mycli/token.json', false, 'none allows no file'],
    ['keyring', 'HOME', '.config/mycli/token.json', false, 'keyring allows no plain file'],
    [[], 'HOME', '.config/mycli/token.json', false, 'an empty list allows nothing'],
  ];
  it.each(cases)('%j: %s/%s → %s (%s)', (storage, root, path, allowed) => {
    expect(storageAllows(storage, root, path)).toBe(allowed);
  });
});
