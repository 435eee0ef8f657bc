// The inventory reporters on the fixture home: SARIF valid against the official 2.1.0 schema,
// JUnit well-formed and agreeing with the exit code, text and Markdown naming every entry.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureHome } from '../../../test/fixtures/inventory/build-home.ts';
import { joinPieces } from '../../report/kit/index.ts';
import { runInventory } from '../index.ts';
import type { InventoryReport } from '../model.ts';
import { DETECTOR_IDS } from '../tools/index.ts';
import { entryFleetKey } from './describe.ts';
import { INVENTORY_FORMATS, renderInventory, renderInventoryAtc } from './index.ts';

const schema = JSON.parse(
  readFileSync(
    fileURLToPath(
      new URL('../../../test/fixtures/report/sarif-schema-2.1.0.json', import.meta.url),
    ),
    'utf8',
  ),
) as object;
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
formats.default(ajv);
const validate = ajv.compile(schema);

let dir: string;
let report: InventoryReport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devicebound-inventory-report-'));
  const now = new Date();
  const { home } = await buildFixtureHome(dir, now);
  report = await runInventory({ homes: [home], failOn: 'low', now });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inventory reporters', () => {
  it('SARIF is valid 2.1.0 with one rule per detector and one result per entry', () => {
    const log = JSON.parse(renderInventory('sarif', report, { color: false }));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(
      DETECTOR_IDS.map((id) => `inventory/${id}`),
    );
    expect(run.results).toHaveLength(report.entries.length);
    expect(run.invocations[0].exitCode).toBe(1);
    expect(run.invocations[0].toolExecutionNotifications).toHaveLength(report.problems.length);
  });

  it('JUnit is well-formed: failures for entries at or above --fail-on, errors for problems', () => {
    const xml = renderInventory('junit', report, { color: false });
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(Number(parsed.testsuites['@_failures'])).toBe(report.summary.failing);
    expect(Number(parsed.testsuites['@_errors'])).toBe(report.problems.length);
    expect(Number(parsed.testsuites['@_tests'])).toBe(
      report.entries.length + report.problems.length,
    );
  });

  it('JSON is the model, each entry with its fleet key', () => {
    const model = JSON.parse(JSON.stringify(report)) as typeof report;
    expect(JSON.parse(renderInventory('json', report, { color: false }))).toEqual({
      ...model,
      entries: model.entries.map((entry) => ({ ...entry, fleetKey: entryFleetKey(entry) })),
    });
  });

  it('text and Markdown name every file', () => {
    for (const format of ['text', 'markdown'] as const) {
      const out = renderInventory(format, report, { color: false });
      for (const entry of report.entries)
        expect(out).toContain(entry.path.slice(entry.home.length + 1));
    }
  });

  it('text colours only when asked', () => {
    expect(renderInventory('text', report, { color: false })).not.toContain('\x1b[');
    expect(renderInventory('text', report, { color: true })).toContain('\x1b[31m');
  });

  it('shows paths and labels from disk as text, never as markup or terminal codes', () => {
    // A cache file may be named anything: a backtick would end its code span, a pipe its
    // table cell, an escape sequence would recolour the terminal.
    const [first, ...rest] = report.entries;
    if (!first) throw new Error('the fixture home has entries');
    const name = 'we|ird`<img src=x>\u001b[31m.json';
    const hostile: InventoryReport = {
      ...report,
      entries: [
        { ...first, path: `${first.home}/.aws/${name}`, label: '*me* <b>@you</b>' },
        ...rest,
      ],
    };
    const markdown = renderInventory('markdown', hostile, { color: false });
    expect(markdown).toContain('| `~/.aws/we\\|ird <img src=x> [31m.json` |');
    expect(markdown).toContain('\\*me\\* \\<b\\>@\u200byou\\</b\\>');
    const text = renderInventory('text', hostile, { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('~/.aws/we|ird`<img src=x>\\u{1B}[31m.json');
  });

  it('has a renderer for every format', () => {
    for (const format of INVENTORY_FORMATS)
      expect(
        (format === 'osquery-atc'
          ? renderInventoryAtc(report)
          : joinPieces(renderInventory(format, report, { color: false }))
        ).length,
      ).toBeGreaterThan(0);
  });
});
