import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JUMP_WINDOW } from './jump.ts';
import { Matcher, type PatternSpec } from './matcher.ts';

/** Every (pattern, start) by brute force. */
function naive(buffer: Buffer, patterns: readonly PatternSpec[]): string[] {
  const found: string[] = [];
  const lower = Buffer.from(buffer.map((b) => (isLetter(b) ? b | 0x20 : b)));
  for (const [index, pattern] of patterns.entries()) {
    const haystack = pattern.caseInsensitive ? lower : buffer;
    const needle = pattern.caseInsensitive
      ? Buffer.from(pattern.bytes.map((b) => (isLetter(b) ? b | 0x20 : b)))
      : Buffer.from(pattern.bytes);
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
      const exact = buffer.subarray(at, at + needle.length);
      if (pattern.except && exact.equals(pattern.except)) continue;
      found.push(`${index}@${at}`);
    }
  }
  return found.sort();
}

function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function scanAll(matcher: Matcher, buffer: Uint8Array, from = 0, end = buffer.length): string[] {
  const found: string[] = [];
  matcher.scan(buffer, from, end, (pattern, start) => found.push(`${pattern}@${start}`));
  return found.sort();
}

// Every case with the jump loop in WebAssembly (./jump.ts) and in JavaScript: the same matches.
describe.each([
  ['WebAssembly', true],
  ['JavaScript', false],
])('Matcher, jump loop in %s', (_, wasm) => {
  const make = (patterns: readonly PatternSpec[]) => new Matcher(patterns, { wasm });

  it('takes the jump loop it was asked for', () => {
    const matcher = make([{ bytes: Buffer.from('abcd'), caseInsensitive: false }]);
    expect(matcher.jumpLoop).toBe(wasm ? 'webassembly' : 'javascript');
  });

  it('finds exactly what a brute-force search finds, overlapping matches included', () => {
    for (let round = 0; round < 120; round++) {
      const shortest = [2, 4, 8][round % 3] as number;
      // A small alphabet makes overlaps and shared blocks common.
      const alphabet = 'abAB-';
      const word = (length: number) =>
        Buffer.from(Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join(''));
      const patterns: PatternSpec[] = Array.from({ length: 1 + randomInt(8) }, () => ({
        bytes: word(shortest + randomInt(10)),
        caseInsensitive: randomInt(3) === 0,
      }));
      const buffer = Buffer.concat(
        Array.from({ length: 60 }, () =>
          randomInt(3) === 0
            ? Buffer.from((patterns[randomInt(patterns.length)] as PatternSpec).bytes)
            : word(randomInt(6)),
        ),
      );
      const matcher = make(patterns);
      expect(scanAll(matcher, buffer)).toEqual(naive(buffer, patterns));
    }
  });

  it('scans long ranges with four cursors: the same matches, reported in ascending order', () => {
    for (let round = 0; round < 30; round++) {
      const alphabet = 'abAB-';
      const word = (length: number) =>
        Buffer.from(Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join(''));
      const patterns: PatternSpec[] = Array.from({ length: 1 + randomInt(6) }, () => ({
        bytes: word(2 + randomInt(12)),
        caseInsensitive: randomInt(3) === 0,
      }));
      // Past the four-cursor threshold (4 KiB) whatever the draw: up to ~20 KiB.
      const pieces: Buffer[] = [];
      for (let size = 0, target = 5000 + randomInt(15000); size < target; ) {
        const piece =
          randomInt(3) === 0
            ? Buffer.from((patterns[randomInt(patterns.length)] as PatternSpec).bytes)
            : word(randomInt(6));
        pieces.push(piece);
        size += piece.length;
      }
      const buffer = Buffer.concat(pieces);
      const from = randomInt(2) === 0 ? 0 : randomInt(200);
      const matcher = make(patterns);
      const ends: number[] = [];
      const found: string[] = [];
      matcher.scan(buffer, from, buffer.length, (pattern, start) => {
        found.push(`${pattern}@${start}`);
        ends.push(start + (patterns[pattern] as PatternSpec).bytes.length - 1);
      });
      const expected = naive(buffer, patterns).filter((hit) => {
        const [pattern, start] = hit.split('@').map(Number) as [number, number];
        return start + (patterns[pattern] as PatternSpec).bytes.length - 1 >= from;
      });
      expect(buffer.length).toBeGreaterThan(4096);
      expect([...found].sort()).toEqual(expected);
      expect(ends).toEqual([...ends].sort((a, b) => a - b));
    }
  });

  it('finds patterns keyed inside (keyEnd) exactly as brute force does, long ranges too', () => {
    for (let round = 0; round < 60; round++) {
      const alphabet = 'abAB-';
      const word = (length: number) =>
        Buffer.from(Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join(''));
      const raw = Array.from({ length: 1 + randomInt(6) }, () => word(4 + randomInt(10)));
      const shortest = Math.min(...raw.map((bytes) => bytes.length));
      const patterns: PatternSpec[] = raw.map((bytes) => ({
        bytes,
        caseInsensitive: randomInt(3) === 0,
        keyEnd: shortest + randomInt(bytes.length - shortest + 1),
      }));
      const buffer = Buffer.concat(
        Array.from({ length: round % 2 ? 60 : 2000 }, () =>
          randomInt(3) === 0
            ? Buffer.from((patterns[randomInt(patterns.length)] as PatternSpec).bytes)
            : word(randomInt(6)),
        ),
      );
      expect(scanAll(make(patterns), buffer)).toEqual(naive(buffer, patterns));
    }
    expect(
      () => new Matcher([{ bytes: Buffer.from('abcdef'), caseInsensitive: false, keyEnd: 3 }]),
    ).toThrow(/keyEnd/);
  });

  it('reports a case-insensitive pattern in every case but its excepted spelling', () => {
    const matcher = make([
      { bytes: Buffer.from('wxyz-bcdf'), caseInsensitive: true, except: Buffer.from('WXYZ-BCDF') },
    ]);
    const text = Buffer.from('WXYZ-BCDF wxyz-bcdf WxYz-BcDf wxyz_bcdf');
    expect(scanAll(matcher, text)).toEqual(['0@10', '0@20']);
  });

  it('reports only matches ending at or after `from`, reading back before it to verify', () => {
    const matcher = make([{ bytes: Buffer.from('0123456789'), caseInsensitive: false }]);
    const text = Buffer.from('..0123456789..0123456789');
    expect(scanAll(matcher, text, 0)).toEqual(['0@14', '0@2']);
    expect(scanAll(matcher, text, 12)).toEqual(['0@14']);
    expect(scanAll(matcher, text, 11)).toEqual(['0@14', '0@2']);
    expect(scanAll(matcher, text, 0, 23)).toEqual(['0@2']);
  });

  it('has no false positives on 5 MB of random bytes', () => {
    const patterns = Array.from({ length: 300 }, (_, i) => ({
      bytes: randomBytes(8 + (i % 50)),
      caseInsensitive: false,
    }));
    const matcher = make(patterns);
    const data = randomBytes(5 * 1024 * 1024);
    expect(scanAll(matcher, data)).toEqual([]);
    // And finds them once planted.
    const first = patterns[0] as PatternSpec;
    const last = patterns[299] as PatternSpec;
    first.bytes.forEach((b, i) => {
      data[1000 + i] = b;
    });
    last.bytes.forEach((b, i) => {
      data[data.length - last.bytes.length + i] = b;
    });
    expect(scanAll(matcher, data)).toEqual(
      [`0@1000`, `299@${data.length - last.bytes.length}`].sort(),
    );
  });

  it('matches nothing without patterns and refuses 1-byte patterns', () => {
    expect(scanAll(make([]), Buffer.from('anything'))).toEqual([]);
    expect(() => new Matcher([{ bytes: Buffer.from('a'), caseInsensitive: false }])).toThrow(
      RangeError,
    );
  });

  it('finds the same in blocks just under and over the WebAssembly window', () => {
    const patterns = Array.from({ length: 40 }, (_, i) => ({
      bytes: Buffer.from(`key-${i}-${'x'.repeat(i % 7)}`),
      caseInsensitive: i % 5 === 0,
    }));
    const matcher = make(patterns);
    for (const size of [JUMP_WINDOW - 2, JUMP_WINDOW - 1, JUMP_WINDOW, JUMP_WINDOW + 1]) {
      const data = Buffer.alloc(size, '.');
      for (let at = 7; at + 20 < size; at += 4099) {
        const pattern = patterns[at % patterns.length] as PatternSpec;
        data.set(pattern.bytes, at);
      }
      const last = patterns[3] as PatternSpec;
      data.set(last.bytes, size - last.bytes.length);
      expect(scanAll(matcher, data), `size ${size}`).toEqual(naive(data, patterns));
    }
  });
});

describe('Matcher where WebAssembly does not run', () => {
  it('jumps in JavaScript and finds the same (node --jitless, the built module)', () => {
    const built = fileURLToPath(new URL('../../dist/search/matcher.js', import.meta.url));
    const script = `import(${JSON.stringify(built)}).then(({ Matcher }) => {
      const matcher = new Matcher([{ bytes: Buffer.from('needle'), caseInsensitive: false }]);
      const data = Buffer.alloc(100000, '.');
      data.write('needle', 500); data.write('needle', 99000);
      const found = [];
      matcher.scan(data, 0, data.length, (pattern, start) => found.push(start));
      process.stdout.write(JSON.stringify([typeof WebAssembly, matcher.jumpLoop, found]));
    });`;
    const out = execFileSync(process.execPath, ['--jitless', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['undefined', 'javascript', [500, 99000]]);
  });
});
