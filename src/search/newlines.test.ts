// The newline count behind every line number scan reports: the WebAssembly SIMD loop must give
// exactly what a plain count gives, at every length and alignment, in lanes that fill up, and
// where WebAssembly cannot run (`node --jitless`, the built module: `npm test` builds first).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countNewlines, NEWLINES_WASM, newlineCounter } from './newlines.ts';

const BUILT = fileURLToPath(new URL('../../dist/search/newlines.js', import.meta.url));

function plain(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === 10) count++;
  return count;
}

/** A deterministic generator (xorshift32), so that a failure can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe('countNewlines', () => {
  it('runs the WebAssembly module, which validates', () => {
    const { WebAssembly } = globalThis as unknown as {
      WebAssembly: { validate(bytes: Uint8Array): boolean };
    };
    expect(WebAssembly.validate(NEWLINES_WASM)).toBe(true);
    expect(newlineCounter()).toBe('webassembly');
  });

  it('counts as a plain loop does at every length around the 16-byte steps', () => {
    const next = random(8628);
    for (let length = 0; length <= 2100; length++) {
      const bytes = new Uint8Array(length);
      // Newlines, and bytes that are 10 modulo 16 or differ from it by one bit (0x0a ^ 0x80).
      for (let i = 0; i < length; i++) {
        const r = next();
        bytes[i] = r < 0.2 ? 10 : r < 0.3 ? 0x8a : r < 0.4 ? 0x0b : Math.floor(next() * 256);
      }
      expect(countNewlines(bytes), `length ${length}`).toBe(plain(bytes));
      expect(countNewlines(bytes, { wasm: false })).toBe(plain(bytes));
    }
  });

  it('counts a block at any offset of its buffer', () => {
    const next = random(20);
    const whole = Buffer.from(Array.from({ length: 70_000 }, () => (next() < 0.1 ? 10 : 65)));
    for (const [from, to] of [
      [1, 69_999],
      [3, 4099],
      [17, 70_000],
      [4095, 4096 + 513],
    ] as const) {
      const block = whole.subarray(from, to);
      expect(countNewlines(block)).toBe(plain(block));
    }
  });

  it('does not overflow a lane: a block of nothing but newlines, over several windows', () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).fill(10);
    expect(countNewlines(bytes)).toBe(bytes.length);
    expect(countNewlines(new Uint8Array(3 * 1024 * 1024))).toBe(0);
  });

  it('counts log lines across a window edge', () => {
    const line = Buffer.from('2026-12-05T20:00:00Z INFO request handled in 12 ms path=/x\n');
    const text = Buffer.concat(Array.from({ length: 40_000 }, () => line));
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(countNewlines(text)).toBe(40_000);
  });

  it('counts with indexOf where WebAssembly cannot run (node --jitless)', () => {
    const script = `import(${JSON.stringify(BUILT)}).then((m) => {
      const text = Buffer.from('a\\nbb\\n'.repeat(1000));
      process.stdout.write(JSON.stringify([typeof WebAssembly, m.newlineCounter(), m.countNewlines(text)]));
    });`;
    const out = execFileSync(process.execPath, ['--jitless', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['undefined', 'indexOf', 2000]);
  });
});
