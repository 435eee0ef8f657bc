import { describe, expect, it } from 'vitest';
import { displayPath } from './paths.ts';

describe('displayPath', () => {
  it('names files the way a person would look for them', () => {
    expect(displayPath('HOME', '.config/mycli/token.json')).toBe('~/.config/mycli/token.json');
    expect(displayPath('XDG_CACHE_HOME', 'mycli/t')).toBe('$XDG_CACHE_HOME/mycli/t');
    expect(displayPath('cwd', '.env')).toBe('./.env');
  });
});
