import { describe, expect, it } from 'vitest';
import { Secret } from '../evidence/secret.ts';
import type { Canary } from '../lab/index.ts';
import { lastWords } from './last-words.ts';

const canary = (value: string): Canary => ({
  kind: 'access_token',
  secret: new Secret(value),
  issuedAt: 0,
  deviceCode: undefined,
});

describe('lastWords: a failed run in its own words, with nothing secret', () => {
  it('keeps the last lines, trimmed, without blank ones', () => {
    const stderr = Buffer.from('\nline 1\nline 2\n\nline 3\nline 4\nline 5\n\n');
    expect(lastWords(stderr, [])).toBe('line 2\nline 3\nline 4\nline 5');
  });

  it("quotes a CLI's configuration error as it wrote it", () => {
    const stderr = Buffer.from('\nThe config profile (lab) could not be found\n');
    expect(lastWords(stderr, [])).toBe('The config profile (lab) could not be found');
  });

  it('replaces an issued credential by its preview, and any other long token-like value', () => {
    const token = 'aoaAAAAAGx1Ff9c2Qk3vLm8Zr0TpYw7Hn4Jd6Bs5';
    const other = 'AKIA1234567890ABCDEFGH1234';
    const said = lastWords(Buffer.from(`error: token ${token} rejected\nkey ${other} unknown\n`), [
      canary(token),
    ]);
    expect(said).not.toContain(token);
    expect(said).not.toContain(other);
    expect(said).toContain(new Secret(token).preview);
    expect(said).toContain('key [withheld] unknown');
  });

  it('keeps long words that are not tokens (paths, plain words)', () => {
    const said = lastWords(Buffer.from('cannot open /usr/lib/python3/dist-packages/awscli\n'), []);
    expect(said).toBe('cannot open /usr/lib/python3/dist-packages/awscli');
  });

  it('shows invisible characters, caps the length, and is undefined for nothing', () => {
    expect(lastWords(Buffer.from('\u001b[31mred\u001b[0m\n'), [])).toBe('\\u{1B}[31mred\\u{1B}[0m');
    const said = lastWords(Buffer.from(`${'word '.repeat(200)}\n`), []);
    expect(said?.length).toBe(400);
    expect(said?.startsWith('…')).toBe(true);
    expect(lastWords(Buffer.from('\n \n'), [])).toBeUndefined();
    expect(lastWords(undefined, [])).toBeUndefined();
  });
});
