import { describe, expect, it } from 'vitest';
import { newUserCode, normalizeUserCode, USER_CODE_ALPHABET } from './canaries.ts';

describe('user codes (RFC 8628 §6.1)', () => {
  it('are 8 base-20 characters shown as XXXX-XXXX, with no vowels', () => {
    for (let i = 0; i < 500; i++)
      expect(newUserCode()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(USER_CODE_ALPHABET).toHaveLength(20);
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY]/);
  });

  it('use every character of the alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const char of newUserCode().replace('-', '')) seen.add(char);
    expect(seen.size).toBe(20);
  });

  it('match in any case, with or without the dash or spaces', () => {
    expect(normalizeUserCode('WDJB-MJHT')).toBe('WDJBMJHT');
    expect(normalizeUserCode('wdjbmjht')).toBe('WDJBMJHT');
    expect(normalizeUserCode(' wdjb mjht ')).toBe('WDJBMJHT');
  });

  it('reject what cannot be a code', () => {
    expect(normalizeUserCode('WDJ')).toBeNull(); // shorter than any lab makes (4)
    expect(normalizeUserCode('WDJB-MJHT-WDJB-M')).toBeNull(); // longer than any lab makes (12)
    expect(normalizeUserCode('WDJ-MJH')).toBe('WDJMJH'); // a lab configured weak (6)
    expect(normalizeUserCode('AEIO-UWDJ')).toBeNull(); // vowels are not in the alphabet
    expect(normalizeUserCode('')).toBeNull();
  });
});
