// Golden files: each reporter's output for one fixed report (test/fixtures/report/evidence.json,
// a real run, judged again) must not change unnoticed. After an intended change, rewrite them
// with `UPDATE_GOLDEN=1 npx vitest run src/report/golden.test.ts` and review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GOLDEN_ROOT, goldenReport } from '../../test/fixtures/report/report.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './model.ts';
import { renderSarif } from './sarif.ts';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Golden file names end in `.golden`, so that no formatter rewrites them. */
const GOLDEN: [string, (report: Report) => string][] = [
  ['report.json.golden', renderJson],
  ['report.sarif.golden', (report) => renderSarif(report, { root: GOLDEN_ROOT })],
  ['report.junit.xml.golden', renderJunit],
  ['report.md.golden', renderMarkdown],
];

describe('golden files', () => {
  it.each(GOLDEN)('%s', (name, render) => {
    const file = fileURLToPath(new URL(`../../test/golden/${name}`, import.meta.url));
    const output = render(goldenReport());
    if (UPDATE) writeFileSync(file, output);
    expect(output).toBe(readFileSync(file, 'utf8'));
  });
});
