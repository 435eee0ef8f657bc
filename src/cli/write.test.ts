import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../errors.ts';
import { assertOutputsMatchFormats, writeReports } from './write.ts';

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
