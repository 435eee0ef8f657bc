// The content scanner: lines and columns across chunks, binary data, UTF-16LE, long lines.
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../evidence/secret.ts';
import { ContentScanner } from './content.ts';
import { fake, join } from './rules/fake.ts';

const token = join('gh', 'o_', fake(36));

function scan(chunks: (string | Buffer)[], options = {}): ContentScanner {
  const scanner = new ContentScanner(undefined, options);
  for (const chunk of chunks) scanner.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  scanner.end();
  return scanner;
}

describe('ContentScanner', () => {
  it('finds a token split across chunks once, at its line and column', () => {
    const text = `one\ntwo\n  x=${token}\n`;
    for (let cut = 1; cut < text.length; cut += 3) {
      const found = scan([text.slice(0, cut), text.slice(cut)]).detections;
      expect(
        found.map((d) => [d.rule, d.line, d.column]),
        `cut at ${cut}`,
      ).toEqual([['github-token', 3, 5]]);
      expect(found[0]?.fingerprint).toBe(fingerprint(token));
    }
  });

  it('counts columns in code points, and survives CRLF, invalid UTF-8 and NUL bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from('a\r\n'),
      Buffer.from([0xff, 0xfe, 0x00, 0xc3]),
      Buffer.from(`é ${token}\r\n`),
    ]);
    const [found] = scan([bytes]).detections;
    expect(found?.line).toBe(2);
    // 4 broken bytes (each a code point start but 0xc3, then é (2 bytes, 1 code point)), space.
    expect(found?.column).toBeGreaterThan(4);
  });

  it('finds tokens stored as UTF-16LE inside binary data, at either alignment', () => {
    const utf16 = Buffer.from(`token=${token}`, 'utf16le');
    for (const pad of [0, 1]) {
      const dump = Buffer.concat([Buffer.alloc(100 + pad, 0xcc), utf16, Buffer.alloc(50)]);
      const found = scan([dump]).detections;
      expect(found.map((d) => [d.rule, d.encoding])).toEqual([['github-token', 'utf16le']]);
    }
  });

  it('searches a very long line in windows, says so, and finds tokens across window edges', () => {
    const filler = ' '.repeat(5000);
    const line = `${filler}${token}${filler}${token}${filler}`;
    const chunks = line.match(/.{1,777}/gs) ?? [];
    const scanner = scan(chunks, { maxLineBytes: 4096, overlapBytes: 512 });
    expect(scanner.detections.map((d) => d.column)).toEqual([5001, 5000 + 40 + 5000 + 1]);
    expect(scanner.notes[0]).toMatch(/line 1 is longer than 4096 bytes/);
  });

  it('stops reporting after maxFindings and says so', () => {
    const scanner = scan([`${token}\n`.repeat(10)], { maxFindings: 3 });
    expect(scanner.detections).toHaveLength(3);
    expect(scanner.notes.join()).toMatch(/more than 3 findings/);
  });
});
