/**
 * Counts the newlines of a block, for the line numbers of findings.
 *
 * Every byte of a scanned file has to be looked at for this, also where the matcher jumps over
 * it. Calling `Buffer.indexOf` once per line cost ~35 ns a line: on log-like text (a line every
 * ~100 bytes) that was a fifth of the time of a scan of 1 GB, more than ripgrep spends
 * counting its lines. A WebAssembly SIMD loop compares 16 bytes at a time instead; a block is
 * copied into its memory (1 MiB at a time), which costs less than the per-line calls did.
 * Where WebAssembly is not available (`node --jitless`), the per-line calls remain.
 *
 * The module is small enough to be written here as bytes, each instruction with its name (the
 * WebAssembly 2.0 binary format, SIMD proposal opcodes). Its text form:
 *
 *   (func (export "count") (param $n i32) (result i32)   ;; newlines in memory[0, n)
 *     vend := n & -16;  nl := i8x16.splat(10)
 *     while p < vend:                                      ;; 16 bytes at a time
 *       acc := 0; k := 0
 *       do { acc := acc - i8x16.eq(v128.load(p), nl); p += 16; k += 1 }
 *       while k < 255 && p < vend                          ;; a lane counts up to 255
 *       total += sum of acc's 16 lanes (two pairwise widening adds, four lanes)
 *     while p < n: total += (load8_u(p) == 10); p += 1      ;; the last 0–15 bytes
 *     return total)
 */

/** Bytes the memory holds; a bigger block is counted in parts of this size. */
const WINDOW = 1024 * 1024;
/** Below this, a block is counted with `indexOf`: the copy and the call would cost more. */
const SMALL = 512;

const Op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load8U: 0x2d,
  i32Const: 0x41,
  i32Eq: 0x46,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  simd: 0xfd,
  empty: 0x40,
} as const;
/** SIMD opcodes (after the 0xfd prefix; each below 0x80, so one LEB128 byte). */
const Simd = {
  v128Load: 0x00,
  v128Const: 0x0c,
  i8x16Splat: 0x0f,
  i32x4ExtractLane: 0x1b,
  i8x16Eq: 0x23,
  i8x16Sub: 0x71,
  i16x8ExtaddPairwiseI8x16U: 0x7d,
  i32x4ExtaddPairwiseI16x8U: 0x7f,
} as const;

// Locals: 0 n (the parameter); 1 p, 2 total, 3 k, 4 vend (i32); 5 acc, 6 nl (v128).
const N = 0;
const P = 1;
const TOTAL = 2;
const K = 3;
const VEND = 4;
const ACC = 5;
const NL = 6;
const MEMARG = [0x00, 0x00]; // alignment hint 1, offset 0

const BODY = [
  ...[0x02, 0x04, 0x7f, 0x02, 0x7b], // locals: 4 × i32, 2 × v128
  ...[Op.localGet, N, Op.i32Const, 0x70 /* -16 */, Op.i32And, Op.localSet, VEND],
  ...[Op.i32Const, 10, Op.simd, Simd.i8x16Splat, Op.localSet, NL],
  ...[Op.block, Op.empty, Op.loop, Op.empty],
  ...[Op.localGet, P, Op.localGet, VEND, Op.i32GeU, Op.brIf, 1],
  ...[Op.simd, Simd.v128Const, ...new Array<number>(16).fill(0), Op.localSet, ACC],
  ...[Op.i32Const, 0, Op.localSet, K],
  ...[Op.block, Op.empty, Op.loop, Op.empty],
  ...[Op.localGet, ACC, Op.localGet, P, Op.simd, Simd.v128Load, ...MEMARG],
  ...[Op.localGet, NL, Op.simd, Simd.i8x16Eq, Op.simd, Simd.i8x16Sub, Op.localSet, ACC],
  ...[Op.localGet, P, Op.i32Const, 16, Op.i32Add, Op.localSet, P],
  ...[Op.localGet, K, Op.i32Const, 1, Op.i32Add, Op.localTee, K],
  ...[Op.i32Const, 0xff, 0x01 /* 255 */, Op.i32GeU, Op.brIf, 1],
  ...[Op.localGet, P, Op.localGet, VEND, Op.i32LtU, Op.brIf, 0],
  ...[Op.end, Op.end],
  ...[Op.localGet, ACC, Op.simd, Simd.i16x8ExtaddPairwiseI8x16U],
  ...[Op.simd, Simd.i32x4ExtaddPairwiseI16x8U, Op.localTee, ACC],
  ...[Op.simd, Simd.i32x4ExtractLane, 0],
  ...[Op.localGet, ACC, Op.simd, Simd.i32x4ExtractLane, 1, Op.i32Add],
  ...[Op.localGet, ACC, Op.simd, Simd.i32x4ExtractLane, 2, Op.i32Add],
  ...[Op.localGet, ACC, Op.simd, Simd.i32x4ExtractLane, 3, Op.i32Add],
  ...[Op.localGet, TOTAL, Op.i32Add, Op.localSet, TOTAL],
  ...[Op.br, 0, Op.end, Op.end],
  ...[Op.block, Op.empty, Op.loop, Op.empty],
  ...[Op.localGet, P, Op.localGet, N, Op.i32GeU, Op.brIf, 1],
  ...[Op.localGet, TOTAL, Op.localGet, P, Op.i32Load8U, ...MEMARG],
  ...[Op.i32Const, 10, Op.i32Eq, Op.i32Add, Op.localSet, TOTAL],
  ...[Op.localGet, P, Op.i32Const, 1, Op.i32Add, Op.localSet, P],
  ...[Op.br, 0, Op.end, Op.end],
  ...[Op.localGet, TOTAL, Op.end],
];

function leb128(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

const section = (id: number, content: number[]) => [id, ...leb128(content.length), ...content];
const name = (text: string) => [text.length, ...Buffer.from(text, 'ascii')];

/** The module's bytes (exported for the test that checks them against a plain count). */
export const NEWLINES_WASM = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
  ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]), // types: (i32) -> i32
  ...section(3, [1, 0]), // functions: one, of type 0
  ...section(5, [1, 0x00, WINDOW / 65536]), // memory: WINDOW bytes, no maximum
  ...section(7, [2, ...name('memory'), 0x02, 0, ...name('count'), 0x00, 0]), // exports
  ...section(10, [1, ...leb128(BODY.length), ...BODY]), // code
]);

/** The part of WebAssembly's JavaScript API used here (the project's `lib` has no DOM types). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

interface Counter {
  memory: Uint8Array;
  count(length: number): number;
}

let counter: Counter | null | undefined;

function wasmCounter(): Counter | null {
  if (counter !== undefined) return counter;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(NEWLINES_WASM));
    const exports = instance.exports as {
      memory: { buffer: ArrayBuffer };
      count(n: number): number;
    };
    counter = { memory: new Uint8Array(exports.memory.buffer), count: exports.count };
  } catch {
    counter = null; // no WebAssembly (--jitless) or no SIMD: the per-line calls
  }
  return counter;
}

/** How blocks are counted in this process: `webassembly`, or `indexOf` where it cannot run. */
export function newlineCounter(): 'webassembly' | 'indexOf' {
  return wasmCounter() ? 'webassembly' : 'indexOf';
}

/** The number of `\n` bytes in `block`. */
export function countNewlines(block: Uint8Array, options: { wasm?: boolean } = {}): number {
  const wasm = block.length >= SMALL && options.wasm !== false ? wasmCounter() : null;
  if (!wasm) return countByIndexOf(block);
  let count = 0;
  for (let from = 0; from < block.length; from += WINDOW) {
    const part = block.subarray(from, from + WINDOW);
    wasm.memory.set(part);
    count += wasm.count(part.length);
  }
  return count;
}

function countByIndexOf(block: Uint8Array): number {
  let count = 0;
  for (let i = block.indexOf(10); i !== -1; i = block.indexOf(10, i + 1)) count++;
  return count;
}
