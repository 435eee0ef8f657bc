import { describe, expect, it } from 'vitest';
import { parseIni } from './ini.ts';

describe('parseIni', () => {
  it('reads sections, keys before any section, and skips comments', () => {
    expect(
      parseIni('top = 1\n# note\n[default]\nregion = eu-west-1\n; other\n[b]\nk=v=w\n'),
    ).toEqual({
      '': { top: '1' },
      default: { region: 'eu-west-1' },
      b: { k: 'v=w' },
    });
  });

  it('refuses a line that is not key = value, naming the line only', () => {
    expect(() => parseIni('[a]\nsecret-without-equals\n')).toThrow(
      /^line 2: expected key = value$/,
    );
  });
});
