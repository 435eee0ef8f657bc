// The byte engine (keyword pass, then each rule's regex on the lines around its keywords) finds
// exactly what the plain reference (every regex over the whole text) finds, on random text made
// of every rule's samples, noise and line breaks; as ASCII and as UTF-16LE inside binary data.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSecrets, RuleEngine, WINDOW_BYTES } from './detect.ts';
import { fake, join } from './rules/fake.ts';
import { RULES } from './rules/index.ts';

const engine = new RuleEngine(RULES);
const samples = RULES.flatMap((rule) => [
  ...rule.samples.positive.map((s) => s.text),
  ...rule.samples.negative.map((s) => s.text),
]);
const noise = [
  ' ',
  '\t',
  '=',
  ':',
  '"',
  'exit code 1',
  'enter the code',
  'enter the code ',
  'user_code',
  'code',
  'code: ',
  'code=',
  'code "',
  "code'",
  'code\t`',
  'ABC',
  'ABCD12',
  'WDJB-',
  '-',
  'Bearer',
  'access_token=',
  'x',
  '0.A',
  '.eyJ',
  'GHO_',
  'accessToken=',
  'RefreshToken: ',
  '"deviceCode":"',
  'ID_TOKEN=',
  'BEARER ',
  'token ',
  'device ',
  '\u00e9',
];
// Keywords and samples in other cases: rules with the i flag must find them all the same.
const recased = samples.flatMap((sample) => [sample.toUpperCase(), sample.toLowerCase()]);
const piece = fc.oneof(
  fc.constantFrom(...samples),
  fc.constantFrom(...recased),
  fc.constantFrom(...noise),
  fc.constant('\n'),
  fc.constant('\r\n'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
);
const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

/**
 * The specification: every rule's regex over the whole text, no keyword in sight; in rule order,
 * a match overlapping an earlier rule's is dropped.
 */
function reference(value: string): [string, number, number, string][] {
  const kept: [string, number, number, string][] = [];
  for (const rule of RULES) {
    const pattern = new RegExp(rule.pattern.source, rule.pattern.flags);
    for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
      const span = match.indices?.groups?.secret;
      const secret = match.groups?.secret;
      if (!span || secret === undefined || (rule.verify && !rule.verify(secret, match))) continue;
      if (kept.some(([, start, end]) => start < span[1] && span[0] < end)) continue;
      kept.push([rule.id, span[0], span[1], secret]);
    }
  }
  return kept.sort((a, b) => a[1] - b[1]);
}

describe('RuleEngine', () => {
  it('finds what every regex over the whole text finds (ASCII), and so does findSecrets', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(findSecrets(value).map((m) => [m.rule.id, m.start, m.end, m.value])).toEqual(
          reference(value),
        );
        const found = engine.find(Buffer.from(value, 'latin1'));
        expect(found.map((m) => [m.rule.id, m.start, m.end, m.value])).toEqual(reference(value));
        expect(found.every((m) => !m.utf16)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds the same in UTF-16LE strings inside binary data, at either alignment', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 3 }), (value, pad) => {
        // One UTF-16 string per line: a run ends at any byte pair that is not printable ASCII.
        const lines = value.split(/\r?\n/).filter((line) => !/[^\x20-\x7e\t]/.test(line));
        const parts = [Buffer.alloc(pad, 0xcc)];
        const expected: unknown[] = [];
        let offset = pad;
        for (const line of lines) {
          for (const [id, start, end, secret] of reference(line))
            if (line.length >= 8)
              expected.push([
                id,
                offset + 2 * (start as number),
                offset + 2 * (end as number),
                secret,
              ]);
          const bytes = Buffer.from(line, 'utf16le');
          parts.push(bytes, Buffer.from([0xff, 0xfe]));
          offset += bytes.length + 2;
        }
        const found = engine.find(Buffer.concat(parts));
        expect(found.map((m) => [m.rule.id, m.start, m.end, m.value])).toEqual(expected);
        expect(found.every((m) => m.utf16)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('looks only WINDOW_BYTES either side of a keyword on a very long line', () => {
    const token = join('gh', 'o_', fake(36));
    const filler = '. '.repeat(WINDOW_BYTES);
    const line = `${filler}${token}${filler}${token}`;
    expect(engine.find(Buffer.from(line)).map((m) => m.start)).toEqual([
      filler.length,
      2 * filler.length + token.length,
    ]);
  });

  it('refuses a keyword shorter than 4 bytes', () => {
    const [first] = RULES;
    if (!first) throw new Error('no rules');
    expect(() => new RuleEngine([{ ...first, keywords: ['eyj'] }])).toThrow(/shorter than 4/);
  });
});
