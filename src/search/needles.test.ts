import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../evidence/secret.ts';
import { newDeviceCode, newRefreshToken, newUserCode } from '../lab/canaries.ts';
import { base64Run, buildNeedles, MIN_NEEDLE_BYTES } from './needles.ts';

describe('base64Run', () => {
  it('is exactly the characters a value determines inside a larger blob, at each alignment', () => {
    for (let round = 0; round < 200; round++) {
      const value = randomBytes(1 + (round % 40));
      for (let before = 0; before < 9; before++) {
        const blob = Buffer.concat([randomBytes(before), value, randomBytes(round % 5)]);
        for (const alphabet of ['base64', 'base64url'] as const) {
          const run = base64Run(value, before % 3, alphabet);
          const encoded = blob.toString(alphabet);
          const at = Math.ceil((8 * before) / 6);
          expect(encoded.slice(at, at + run.length)).toBe(run);
          // Nothing the value determines is left out: one more character on either side
          // depends on unknown bits.
          expect(run.length).toBe(
            Math.floor((8 * (before + value.length)) / 6) - Math.ceil((8 * before) / 6),
          );
        }
      }
    }
  });
});

describe('buildNeedles', () => {
  it('makes every form of a value with special characters, most specific encoding first', () => {
    const value = 'a/b c+d~é"x\\y!*(q)~~~~~~~~~';
    const set = buildNeedles([{ kind: 'refresh_token', secret: new Secret(value) }]);
    const forms = new Map(set.needles.map((n) => [n.form, n]));
    const text = (form: string) => forms.get(form)?.bytes.toString('utf8');
    expect(text('raw')).toBe(value);
    expect(text('json')).toBe(JSON.stringify(value).slice(1, -1));
    expect(text('json with \\/')).toBe(JSON.stringify(value).slice(1, -1).replaceAll('/', '\\/'));
    expect(text('url')).toBe(encodeURIComponent(value));
    expect(text('url form')).toBe(new URLSearchParams({ v: value }).toString().slice(2));
    expect(text('url lower-case escapes')).toBe(
      encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    );
    expect(text('hex lower')).toBe(Buffer.from(value).toString('hex'));
    expect(text('hex upper')).toBe(Buffer.from(value).toString('hex').toUpperCase());
    expect(forms.get('utf16le')?.bytes.equals(Buffer.from(value, 'utf16le'))).toBe(true);
    for (let k = 0; k < 3; k++) {
      expect(text(`base64 +${k}`)).toBe(base64Run(Buffer.from(value), k, 'base64'));
      expect(text(`base64url +${k}`)).toBe(base64Run(Buffer.from(value), k, 'base64url'));
      expect(text(`base64 +${k}`)).not.toBe(text(`base64url +${k}`));
    }
    expect(set.needles.map((n) => n.encoding)).toEqual([
      'raw',
      'json',
      'json',
      'url',
      'url',
      'url',
      'url',
      'hex',
      'hex',
      'base64',
      'base64',
      'base64',
      'base64url',
      'base64url',
      'base64url',
      'utf16le',
    ]);
    expect(set.needles.map((n) => n.id)).toEqual(set.needles.map((_, i) => i));
  });

  it('drops forms identical to a more specific one: raw wins', () => {
    const deviceCode = new Secret(newDeviceCode());
    const set = buildNeedles([{ kind: 'device_code', secret: deviceCode }]);
    // A base64url value is its own JSON and URL encoding; its base64 never holds + or /.
    expect(set.needles.map((n) => n.form)).toEqual([
      'raw',
      'hex lower',
      'hex upper',
      'base64 +0',
      'base64 +1',
      'base64 +2',
      'utf16le',
    ]);
    const keys = set.needles.map((n) => `${n.caseInsensitive}${n.bytes.toString('latin1')}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('adds case-insensitive user-code variants with and without the dash', () => {
    const code = new Secret(newUserCode());
    const set = buildNeedles([{ kind: 'user_code', secret: code }]);
    const variants = set.needles.filter((n) => n.encoding === 'user-code-variant');
    expect(variants.map((n) => [n.bytes.toString(), n.caseInsensitive])).toEqual([
      [code.reveal().toLowerCase(), true],
      [code.reveal().toLowerCase().replace('-', ''), true],
    ]);
    expect(variants[0]?.except?.toString()).toBe(code.reveal());
  });

  it(`skips needles shorter than ${MIN_NEEDLE_BYTES} bytes and counts a canary once`, () => {
    const short = new Secret('abc');
    const token = new Secret(newRefreshToken());
    const set = buildNeedles([
      { kind: 'access_token', secret: short },
      { kind: 'refresh_token', secret: token },
      { kind: 'refresh_token', secret: token },
    ]);
    expect(set.canaries).toHaveLength(2);
    expect(set.needles.every((n) => n.length >= MIN_NEEDLE_BYTES)).toBe(true);
    // 'abc' has 6-character hex and UTF-16 forms: none is searched.
    expect(set.needles.some((n) => n.canary.fingerprint === short.fingerprint)).toBe(false);
    expect(set.minLength).toBeGreaterThanOrEqual(MIN_NEEDLE_BYTES);
  });

  it('never shows a value through JSON, String() or inspect', () => {
    const code = new Secret(newUserCode());
    const token = new Secret(newRefreshToken());
    const set = buildNeedles([
      { kind: 'user_code', secret: code },
      { kind: 'refresh_token', secret: token },
    ]);
    const shown = [
      JSON.stringify(set),
      JSON.stringify(set.needles),
      inspect(set, { depth: 10 }),
      inspect(set.needles, { depth: 10 }),
      set.needles.map(String).join('\n'),
    ].join('\n');
    for (const needle of set.needles) {
      const forms = [needle.bytes.toString('latin1'), needle.bytes.toString('hex')];
      for (const form of forms) expect(shown.toLowerCase()).not.toContain(form.toLowerCase());
    }
    expect(shown).toContain(token.fingerprint);
  });
});
