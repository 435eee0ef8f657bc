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
import { instantiate, memarg, moduleBytes, Op, Simd, sleb } from './wasm.ts';

/** Bytes the memory holds; a bigger block is counted in parts of this size. */
const WINDOW = 1024 * 1024;
/** Below this, a block is counted with `indexOf`: the copy and the call would cost more. */
const SMALL = 512;

// Locals: 0 n (the parameter); 1 p, 2 total, 3 k, 4 vend (i32); 5 acc, 6 nl (v128).
const N = 0;
const P = 1;
const TOTAL = 2;
const K = 3;
const VEND = 4;
const ACC = 5;
const NL = 6;
const MEMARG = memarg(0, 0);

const BODY = [
  ...[2, 4, Op.i32, 2, Op.v128], // locals: 4 × i32, 2 × v128
  ...[Op.localGet, N, Op.i32Const, ...sleb(-16), Op.i32And, Op.localSet, VEND],
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
  ...[Op.i32Const, ...sleb(255), Op.i32GeU, Op.brIf, 1],
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

/** The module's bytes (exported for the test that checks them against a plain count). */
export const NEWLINES_WASM = moduleBytes({
  name: 'count',
  params: 1,
  pages: WINDOW / 65536,
  body: BODY,
});

interface Counter {
  memory: Uint8Array;
  count(length: number): number;
}

let counter: Counter | null | undefined;

function wasmCounter(): Counter | null {
  if (counter === undefined) {
    const instance = instantiate<(n: number) => number>(NEWLINES_WASM, 'count');
    counter = instance ? { memory: new Uint8Array(instance.memory), count: instance.fn } : null;
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
