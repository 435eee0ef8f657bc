import type { Readable } from 'node:stream';
import { countNewlines } from '../search/newlines.ts';

/** Bytes of one output stream that are kept and searched; what is past it is counted only. */
export const OUTPUT_CAP_BYTES = 16 * 1024 * 1024;
const MAX_STAMPS = 10_000;

/** One output stream of the program: the kept bytes and when each part of them arrived. */
export class CapturedStream {
  readonly #chunks: Buffer[] = [];
  /** [byte offset, lab time] of arrivals, for dating a hit. Sparse once there are many. */
  readonly #stamps: [number, number][] = [];
  #kept = 0;
  bytes = 0;
  lines = 0;
  truncated = false;
  readonly closed: Promise<void>;

  constructor(stream: Readable, clock: () => number, passThrough?: NodeJS.WritableStream) {
    this.closed = new Promise((resolve) => {
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    stream.on('data', (chunk: Buffer) => {
      passThrough?.write(chunk);
      if (this.#stamps.length < MAX_STAMPS) this.#stamps.push([this.bytes, clock()]);
      this.bytes += chunk.length;
      this.lines += countNewlines(chunk);
      const room = OUTPUT_CAP_BYTES - this.#kept;
      if (room <= 0) {
        this.truncated = true;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part !== chunk) this.truncated = true;
      this.#chunks.push(part);
      this.#kept += part.length;
    });
  }

  /** The kept bytes. */
  content(): Buffer {
    return Buffer.concat(this.#chunks, this.#kept);
  }

  /** Lab time when the byte at `offset` arrived (to the nearest recorded chunk). */
  timeOf(offset: number): number | undefined {
    let time: number | undefined;
    for (const [start, at] of this.#stamps) {
      if (start > offset) break;
      time = at;
    }
    return time;
  }
}
