/**
 * The matcher's four-cursor jump loop (./matcher.ts `jumpFour`) as WebAssembly.
 *
 * It is the hottest loop of a scan: a table lookup per step, each waiting on the bytes the last
 * one jumped to. V8 runs the JavaScript loop at ~2 GB/s once it is optimized, and much slower
 * before (a scan of a 10 MB bundle ends before it is); WebAssembly runs it at ~2.5 GB/s from the
 * first call, its copy of the block included. The results are the same positions, in the same
 * order: the JavaScript loop stays for where WebAssembly does not run and for blocks over
 * `JUMP_WINDOW`.
 *
 * It also makes the matcher's second look (`before`: the two bytes before a key's last two), so
 * that only positions that pass it come back to JavaScript.
 *
 * Memory: the four cursors' positions on return at 0; the shift and before tables at `SHIFT`
 * and `BEFORE`, indexed by two bytes as a little-endian load reads them (the earlier byte is the
 * low byte); the positions found at `FOUND`; the block at `DATA`. Positions are relative to the
 * block's copy, whose byte 0 is three before the first position (or the buffer's first byte).
 *
 *   (func (export "jump") (param a b c d endA endB endC endD room) (result i32)
 *     while a < endA && b < endB && c < endC && d < endD && count < room:
 *       for x in a, b, c, d:                     ;; four independent chains
 *         s := shift[load16(DATA + x - 1)]
 *         if s == 0:
 *           if before[load16(DATA + x - 3)]: found[count] := x; count += 1
 *           x += 1
 *         else: x += s
 *     store a, b, c, d at 0; return count)
 */
import { instantiate, memarg, moduleBytes, Op } from './wasm.ts';

/** The longest block the module takes; a longer one is jumped over in JavaScript. */
export const JUMP_WINDOW = 1024 * 1024;
const TABLE = 1 << 16;
/** Positions one call may find at most. */
const JUMP_FOUND = 1024;
const SHIFT = 64;
const BEFORE = SHIFT + TABLE;
const FOUND = BEFORE + TABLE;
const DATA = FOUND + 4 * JUMP_FOUND + 16;
const PAGES = Math.ceil((DATA + JUMP_WINDOW) / 65536);

// Locals: 0–3 the cursors a–d, 4–7 their ends, 8 room (parameters); 9 count, 10 s.
const ENDS = 4;
const ROOM = 8;
const COUNT = 9;
const S = 10;

/** One cursor's step (see the text form above). */
function step(x: number): number[] {
  return [
    ...[Op.localGet, x, Op.i32Load16U, ...memarg(0, DATA - 1)],
    ...[Op.i32Load8U, ...memarg(0, SHIFT), Op.localTee, S, Op.i32Eqz, Op.if, Op.empty],
    ...[Op.localGet, x, Op.i32Load16U, ...memarg(0, DATA - 3)],
    ...[Op.i32Load8U, ...memarg(0, BEFORE), Op.if, Op.empty],
    ...[Op.localGet, COUNT, Op.i32Const, 2, Op.i32Shl, Op.localGet, x],
    ...[Op.i32Store, ...memarg(2, FOUND)],
    ...[Op.localGet, COUNT, Op.i32Const, 1, Op.i32Add, Op.localSet, COUNT, Op.end],
    ...[Op.localGet, x, Op.i32Const, 1, Op.i32Add, Op.localSet, x],
    ...[Op.else, Op.localGet, x, Op.localGet, S, Op.i32Add, Op.localSet, x, Op.end],
  ];
}

const CURSORS = [0, 1, 2, 3];

const BODY = [
  ...[1, 2, Op.i32], // locals: 2 × i32
  ...[Op.block, Op.empty, Op.loop, Op.empty],
  // Leave unless every cursor is short of its end and there is room for four more positions.
  ...CURSORS.flatMap((x) => [Op.localGet, x, Op.localGet, ENDS + x, Op.i32LtS]),
  ...[Op.i32And, Op.i32And, Op.i32And],
  ...[Op.localGet, COUNT, Op.localGet, ROOM, Op.i32LtS, Op.i32And, Op.i32Eqz, Op.brIf, 1],
  ...CURSORS.flatMap(step),
  ...[Op.br, 0, Op.end, Op.end],
  ...CURSORS.flatMap((x) => [Op.i32Const, 0, Op.localGet, x, Op.i32Store, ...memarg(2, 4 * x)]),
  ...[Op.localGet, COUNT, Op.end],
];

/** The module's bytes. */
const JUMP_WASM = moduleBytes({ name: 'jump', params: 9, pages: PAGES, body: BODY });

type JumpFn = (
  a: number,
  b: number,
  c: number,
  d: number,
  endA: number,
  endB: number,
  endC: number,
  endD: number,
  room: number,
) => number;

/** One matcher's jump loop in WebAssembly: its own memory, holding its shift table. */
export class WasmJump {
  readonly #memory: Uint8Array;
  readonly #words: Int32Array;
  readonly #jump: JumpFn;
  #base = 0;

  private constructor(memory: ArrayBuffer, jump: JumpFn) {
    this.#memory = new Uint8Array(memory);
    this.#words = new Int32Array(memory);
    this.#jump = jump;
  }

  /**
   * For the matcher's shift and before tables, indexed big-endian (the earlier byte high, as
   * ./matcher.ts builds them); undefined where WebAssembly does not run.
   */
  static create(shift: Uint8Array, before: Uint8Array): WasmJump | undefined {
    const instance = instantiate<JumpFn>(JUMP_WASM, 'jump');
    if (!instance) return undefined;
    const jump = new WasmJump(instance.memory, instance.fn);
    for (const [at, table] of [
      [SHIFT, shift],
      [BEFORE, before],
    ] as const) {
      const swapped = jump.#memory.subarray(at, at + TABLE);
      for (let index = 0; index < TABLE; index++)
        swapped[((index & 0xff) << 8) | (index >>> 8)] = table[index] as number;
    }
    return jump;
  }

  /**
   * Takes the block the cursors will jump over, from `first` (the first cursor's position) to
   * `to`, with the three bytes before `first` the second look reads (fewer at the buffer's
   * start: a matcher whose keys are that short lets every position through it). At most
   * `JUMP_WINDOW` bytes.
   */
  load(buffer: Uint8Array, first: number, to: number): void {
    const from = Math.max(0, first - 3);
    this.#memory.set(buffer.subarray(from, to), DATA);
    this.#base = from;
  }

  /**
   * `jumpFour` of ./matcher.ts over the loaded block: cursors and ends are positions in the
   * buffer, each cursor at least one past the block's start; `found` gets the positions where
   * a key may end. Returns how many.
   */
  jumpFour(cursors: Int32Array, ends: Int32Array, found: Int32Array): number {
    const base = this.#base;
    const words = this.#words;
    const count = this.#jump(
      (cursors[0] as number) - base,
      (cursors[1] as number) - base,
      (cursors[2] as number) - base,
      (cursors[3] as number) - base,
      (ends[0] as number) - base,
      (ends[1] as number) - base,
      (ends[2] as number) - base,
      (ends[3] as number) - base,
      Math.min(found.length, JUMP_FOUND) - 4,
    );
    for (let k = 0; k < 4; k++) cursors[k] = (words[k] as number) + base;
    const first = FOUND >> 2;
    for (let k = 0; k < count; k++) found[k] = (words[first + k] as number) + base;
    return count;
  }
}
