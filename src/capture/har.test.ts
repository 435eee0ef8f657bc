import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HarEntry, harEntries } from './har.ts';

const work = await mkdtemp(join(tmpdir(), 'devicebound-har-'));
afterAll(() => rm(work, { recursive: true, force: true }));

async function read(text: string, options = {}): Promise<HarEntry[]> {
  const file = join(work, `${Math.random().toString(36).slice(2)}.har`);
  await writeFile(file, text);
  const entries: HarEntry[] = [];
  for await (const entry of harEntries(file, options)) entries.push(entry);
  return entries;
}

const entry = (i: number, body: string) => ({
  startedDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  request: { method: 'POST', url: `https://h.example/${i}`, headers: [], postData: { text: body } },
  response: { status: 200, headers: [], content: { text: '{"ok":true}' } },
});

describe('harEntries', () => {
  it('reads entries that straddle the 1 MiB read chunks, with escapes, brackets and keys named "entries" inside bodies', async () => {
    const bodies = [0, 1, 2, 3, 4].map(
      (i) => `${'x'.repeat(700_000 + i)} "quoted\\" ] } [ {"entries":[1]} \\\\ ${i}`,
    );
    const text = JSON.stringify({
      log: {
        version: '1.2',
        creator: { name: 'test', entries: 'not these' },
        entries: bodies.map((body, i) => entry(i, body)),
        comment: 'after the entries',
      },
    });
    const entries = await read(text);
    expect(entries.map((e) => [e.index, e.problem, e.exchange?.url])).toEqual(
      bodies.map((_, i) => [i, undefined, `https://h.example/${i}`]),
    );
    expect(entries.map((e) => e.exchange?.requestBody)).toEqual(bodies);
  });

  it('finds log.entries whatever comes before it, and pretty-printed files give lines', async () => {
    const text = JSON.stringify(
      { log: { pages: [{ id: 'p', title: '[{' }], entries: [entry(0, 'a'), entry(1, 'b')] } },
      null,
      2,
    );
    const entries = await read(text);
    expect(entries.map((e) => e.index)).toEqual([0, 1]);
    expect(entries[1]?.line).toBeGreaterThan(entries[0]?.line ?? 0);
  });

  it('leaves long strings in the file: a long request body is read back, a long answer is not', async () => {
    const body = `{"batch":"${'y'.repeat(3_000_000)}","code":"x\\\\"}`;
    const big = entry(0, body);
    big.response.content.text = 'z'.repeat(3_000_000);
    const entries = await read(JSON.stringify({ log: { entries: [big, entry(1, 'small')] } }));
    expect(entries.map((e) => [e.index, e.problem ?? 'ok'])).toEqual([
      [0, 'ok'],
      [1, 'ok'],
    ]);
    expect(entries[0]?.exchange?.requestBody).toBe(body);
    expect(entries[0]?.exchange?.responseBody).toBeUndefined();
    expect(entries[1]?.exchange?.responseBody).toBe('{"ok":true}');
  });

  it('skips an entry over the limit even with its long strings left out, and reads the next', async () => {
    const many = entry(0, 'a');
    (many.request as Record<string, unknown>).headers = Array.from({ length: 50_000 }, (_, i) => ({
      name: `x-${i}`,
      value: 'v'.repeat(20),
    }));
    const text = JSON.stringify({ log: { entries: [many, entry(1, 'z')] } });
    const entries = await read(text, { maxEntryBytes: 1_000_000 });
    expect(entries.map((e) => [e.index, e.problem ?? 'ok'])).toEqual([
      [0, 'larger than 1 MiB; skipped'],
      [1, 'ok'],
    ]);
  });
});
