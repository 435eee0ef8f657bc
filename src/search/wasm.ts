/**
 * Just enough of the WebAssembly binary format (2.0, with SIMD) to write the two small loops
 * the search runs as WebAssembly (./newlines.ts, ./jump.ts), instruction by instruction, and to
 * instantiate them where WebAssembly runs. Where it does not (`node --jitless`), `instantiate`
 * returns undefined and the callers keep their JavaScript loops.
 */

/** Opcodes used by the modules here (the spec's names, camel-cased). */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load8U: 0x2d,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Shl: 0x74,
  simd: 0xfd,
  /** The type of a block that takes and leaves nothing. */
  empty: 0x40,
  i32: 0x7f,
  v128: 0x7b,
} as const;

/** SIMD opcodes (after `Op.simd`; each below 0x80, so one LEB128 byte). */
export const Simd = {
  v128Load: 0x00,
  v128Const: 0x0c,
  i8x16Splat: 0x0f,
  i32x4ExtractLane: 0x1b,
  i8x16Eq: 0x23,
  i8x16Sub: 0x71,
  i16x8ExtaddPairwiseI8x16U: 0x7d,
  i32x4ExtaddPairwiseI16x8U: 0x7f,
} as const;

/** Unsigned LEB128, as the format writes sizes, indexes and memory offsets. */
function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** Signed LEB128, as `i32.const` writes its value. */
export function sleb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

/** A memory access's immediate: alignment (as a power of 2) and offset. */
export function memarg(alignPower: number, offset: number): number[] {
  return [alignPower, ...uleb(offset)];
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (text: string) => [...uleb(text.length), ...Buffer.from(text, 'ascii')];

/**
 * A module of one function, exported as `fn`, with its own memory of `pages` (64 KiB each),
 * exported as `memory`. `body` is the function's locals and code, its final `end` included.
 */
export function moduleBytes(fn: {
  name: string;
  params: number;
  pages: number;
  body: number[];
}): Uint8Array {
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [
      1,
      0x60,
      ...uleb(fn.params),
      ...new Array<number>(fn.params).fill(Op.i32),
      1,
      Op.i32,
    ]),
    ...section(3, [1, 0]), // one function, of type 0
    ...section(5, [1, 0x00, ...uleb(fn.pages)]), // one memory, no maximum
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name(fn.name), 0x00, 0]),
    ...section(10, [1, ...uleb(fn.body.length), ...fn.body]),
  ]);
}

/** The part of WebAssembly's JavaScript API used here (the project's `lib` has no DOM types). */
declare const WebAssembly:
  | {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: Record<string, unknown> };
    }
  | undefined;

export interface Instantiated<F> {
  memory: ArrayBuffer;
  fn: F;
}

/**
 * A new instance of the module (each has its own memory); undefined where WebAssembly does not
 * run. Compiling a module of a few hundred bytes takes well under a millisecond.
 */
export function instantiate<F>(bytes: Uint8Array, fn: string): Instantiated<F> | undefined {
  if (typeof WebAssembly === 'undefined') return undefined;
  try {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    return { memory: (exports.memory as { buffer: ArrayBuffer }).buffer, fn: exports[fn] as F };
  } catch {
    return undefined; // a CPU or engine without SIMD: the JavaScript loop
  }
}
