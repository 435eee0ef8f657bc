import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { Rendered } from '../report/kit/index.ts';

/**
 * Writes `content` to `file` whole or not at all (a new temporary file beside it, renamed over
 * it), mode 0600. Text given in pieces is written as the pieces are made (`writePieces`) and
 * never held whole. A failure to write is a usage error naming the file; an error making a
 * piece is the renderer's, and goes on as it is. Either way the temporary file is removed.
 */
export async function writeAtomically(file: string, content: Rendered): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  // Every call on the file: its failure is the usage error; a renderer's is not.
  const onFile = <T>(call: Promise<T>) =>
    call.catch((error: unknown) => {
      throw new UsageError(`cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        file,
      });
    });
  try {
    // `wx`: the name is new; never a file or link someone put there.
    const handle = await onFile(open(temporary, 'wx', 0o600));
    try {
      const write = (bytes: string | Uint8Array) => onFile(handle.writeFile(bytes));
      if (content instanceof Uint8Array) await write(content);
      else if (typeof content === 'string' && content.length <= WHOLE_TEXT) await write(content);
      else await writePieces(typeof content === 'string' ? slices(content) : content, write);
    } finally {
      await onFile(handle.close());
    }
    await onFile(rename(temporary, file));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** What `writePieces` gathers before it writes: a few hundred KiB of pieces. */
const PIECES_BUFFER = 1024 * 1024;

/** Text up to this many UTF-16 units is written whole; longer text in slices (`slices`). */
const WHOLE_TEXT = 64 * 1024;

/** Units of text to a slice. */
const SLICE = 256 * 1024;

/**
 * A long text as slices, each encoded into `writePieces`' buffer in its turn: encoding megabytes
 * of a JSON report into fresh bytes of their own cost ~30 ms more for 7 MB. No slice ends
 * between the two halves of a surrogate pair, which would be encoded as two replacement
 * characters instead of one character.
 */
function* slices(text: string): Generator<string, void, undefined> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + SLICE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
    yield text.slice(start, end);
    start = end;
  }
}

/**
 * Encodes pieces of text into one buffer, used again and again, and writes it each time it is
 * nearly full. Encoding each piece into bytes of its own costs more than making the piece: each
 * is memory just allocated, and first touching it costs the kernel a page fault per 4 KiB (12 MB
 * of OCSF: ~50 ms as fresh buffers, ~1 ms into one used again).
 */
async function writePieces(
  pieces: Iterable<string>,
  write: (bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  let buffer = Buffer.allocUnsafe(PIECES_BUFFER);
  let used = 0;
  for (const piece of pieces) {
    // At most 3 bytes of UTF-8 for each UTF-16 unit (a pair of surrogates gives 4 for 2).
    const most = piece.length * 3;
    if (used + most > buffer.length) {
      if (used > 0) await write(buffer.subarray(0, used));
      used = 0;
      if (most > buffer.length) buffer = Buffer.allocUnsafe(most);
    }
    used += buffer.write(piece, used);
  }
  if (used > 0) await write(buffer.subarray(0, used));
}

/**
 * The usage error of every command that writes reports, given before any work: each `--output`
 * belongs to the `--format` at the same place (one `--output` may go with the default format).
 */
export function assertOutputsMatchFormats(
  formats: readonly string[],
  outputs: readonly string[],
): void {
  if (outputs.length > Math.max(1, formats.length)) {
    throw new UsageError('more --output than --format flags; give one --format per --output', {
      field: '--output',
    });
  }
}

/**
 * Writes the reports a command was asked for: the n-th `--format` to the n-th `--output`, or to
 * standard output when it has none or it is `-`; `text` alone when no `--format` was given.
 * Colour only on a terminal and without `NO_COLOR`, never into a file. Files are written whole
 * or not at all (`writeAtomically`).
 */
export async function writeReports<F extends string>(
  formats: readonly F[],
  outputs: readonly string[],
  render: (format: F | 'text', options: { color: boolean }) => Rendered,
): Promise<void> {
  const asked: readonly (F | 'text')[] = formats.length > 0 ? formats : ['text'];
  for (const [i, format] of asked.entries()) {
    const file = outputs[i] === '-' ? undefined : outputs[i];
    const color = !file && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const content = render(format, { color });
    if (file) await writeAtomically(file, content);
    else if (typeof content === 'string' || content instanceof Uint8Array)
      process.stdout.write(content);
    else for (const piece of content) process.stdout.write(piece);
  }
}

/** Binary formats (a database) go to a file only: refused before any work when not. */
export function assertBinaryToFile(
  formats: readonly string[],
  outputs: readonly string[],
  binary: readonly string[],
): void {
  formats.forEach((format, i) => {
    if (binary.includes(format) && (outputs[i] === undefined || outputs[i] === '-'))
      throw new UsageError(`--format ${format} writes a database: give it an --output file`, {
        field: '--output',
      });
  });
}
