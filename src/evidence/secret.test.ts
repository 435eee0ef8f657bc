import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fingerprint, preview, Secret } from './secret.ts';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVlLWhlcmUtUTl4';

describe('Secret', () => {
  it('never shows its value through JSON, String(), templates or inspect', () => {
    const secret = new Secret(TOKEN);
    for (const shown of [
      JSON.stringify({ secret }),
      String(secret),
      `${secret}`,
      inspect({ secret }),
    ]) {
      expect(shown).not.toContain(TOKEN);
      expect(shown).toContain(secret.fingerprint);
    }
    expect(secret.reveal()).toBe(TOKEN);
  });

  it('fingerprints as sha256: hex, stable for the same value', () => {
    expect(fingerprint('abc')).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(new Secret('abc').fingerprint).toBe(fingerprint('abc'));
  });

  it('previews long values by their ends and short ones by length only', () => {
    expect(preview(TOKEN)).toBe(`eyJh…(${TOKEN.length} chars)…Tl4`);
    expect(preview('WDJB-MJHT')).toBe('W…(9 chars)');
    expect(preview('abc')).toBe('…(3 chars)');
  });
});
