import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../errors.ts';
import { assertOutputsMatchFormats, writeAtomically, writeReports } from './write.ts';

const dir = await mkdtemp(join(tmpdir(), 'devicebound-write-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeReports', () => {
  it('writes the n-th format to the n-th output, the rest to stdout, text when none is asked', async () => {
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const render = (format: string, options: { color: boolean }) =>
        `${format}:${options.color}\n`;
      await writeReports(['json', 'sarif', 'markdown'], [join(dir, 'a.json'), '-'], render);
      await writeReports([], [], render);
      expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe('json:false\n');
      expect(((await stat(join(dir, 'a.json'))).mode & 0o777).toString(8)).toBe('600');
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
      expect(written).toEqual([`sarif:${color}\n`, `markdown:${color}\n`, `text:${color}\n`]);
    } finally {
      stdout.mockRestore();
    }
  });

  it('refuses more --output than --format flags, and one --output for the default format is fine', () => {
    expect(() => assertOutputsMatchFormats(['json'], ['a', 'b'])).toThrow(UsageError);
    expect(() => assertOutputsMatchFormats([], ['a'])).not.toThrow();
  });
});

describe('writeAtomically', () => {
  it('writes text given in pieces in their order, as each piece is made', async () => {
    const file = join(dir, 'pieces.jsonl');
    const made: number[] = [];
    function* pieces() {
      for (let i = 0; i < 40; i++) {
        made.push(i);
        // Pieces larger than the buffer they are gathered in, and smaller: a piece written
        // anywhere but after the last, or one lost when the buffer fills, would show.
        yield `${String(i).padStart(3, '0')}${'x'.repeat(i % 3 === 0 ? 400_000 : 70_000)}\n`;
      }
    }
    await writeAtomically(file, pieces());
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(41);
    expect(lines.slice(0, -1).map((line) => [line.slice(0, 3), line.length])).toEqual(
      made.map((i) => [String(i).padStart(3, '0'), i % 3 === 0 ? 400_003 : 70_003]),
    );
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
  });

  it('writes the same bytes from text whole, in pieces and as bytes', async () => {
    const text = 'a \u00e9 \u2028 \ud83d\ude00\n';
    for (const [name, content] of [
      ['whole', text],
      // Split between characters of one, two, three and four bytes in UTF-8.
      ['pieces', [text.slice(0, 4), text.slice(4, 8), text.slice(8)]],
      ['bytes', new TextEncoder().encode(text)],
    ] as const) {
      await writeAtomically(join(dir, name), content);
      expect(await readFile(join(dir, name), 'utf8'), name).toBe(text);
    }
  });

  it("leaves the old file and no temporary file when making a piece fails, and says the renderer's error", async () => {
    const sub = await mkdtemp(join(dir, 'fail-'));
    const file = join(sub, 'report.jsonl');
    await writeFile(file, 'before\n');
    function* pieces() {
      yield 'first piece\n';
      throw new TypeError('a renderer bug');
    }
    await expect(writeAtomically(file, pieces())).rejects.toThrow(new TypeError('a renderer bug'));
    expect(await readFile(file, 'utf8')).toBe('before\n');
    expect(await readdir(sub)).toEqual(['report.jsonl']);
  });

  it('writes long text whole, a surrogate pair at any slice boundary included', async () => {
    // Slices are 256 Ki units: the pair straddles the first boundary, then ends on the second.
    const text = `${'x'.repeat(256 * 1024 - 1)}\ud83d\ude00${'\u00e9'.repeat(256 * 1024 - 3)}\ud83d\ude00!`;
    await writeAtomically(join(dir, 'long'), text);
    const bytes = await readFile(join(dir, 'long'));
    expect(bytes.toString('utf8')).toBe(text);
    expect(bytes.length).toBe(Buffer.byteLength(text));
    expect(bytes.includes(Buffer.from('\ufffd'))).toBe(false);
  });

  it('says which file it cannot write, as a usage error, and leaves no temporary file', async () => {
    const file = join(dir, 'no-such-folder', 'report.json');
    const error = await writeAtomically(file, ['a', 'b']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`${file}: cannot write (ENOENT)`);
    expect(await readdir(dir)).not.toContain('no-such-folder');
  });
});
