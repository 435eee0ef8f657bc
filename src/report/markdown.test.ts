// The Markdown report: a verdict, a table of scenarios, findings by check with their fix, and
// text from the program under test escaped so it renders as itself.
import { describe, expect, it } from 'vitest';
import { goldenEvidence, goldenReport } from '../../test/fixtures/report/report.ts';
import type { EvidenceItem, Finding } from '../checks/types.ts';
import { renderMarkdown } from './markdown.ts';
import { buildReport } from './model.ts';

const tableRows = (markdown: string) =>
  markdown.split('\n').filter((line) => line.startsWith('| '));
/** Cells of a table row, split on unescaped pipes. */
const cells = (row: string) =>
  row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((cell) => cell.trim());

describe('the Markdown report', () => {
  it('starts with the verdict', () => {
    expect(renderMarkdown(goldenReport()).split('\n').slice(0, 4)).toEqual([
      '### ❌ devicebound: fail',
      '',
      '**13 findings at or above `high`** in 4 of 6 scenarios.',
      'Policy: `test/fixtures/report/devicebound.yaml`.',
    ]);
  });

  it('says pass, and counts findings below fail_on', () => {
    const report = goldenReport();
    const lenient = buildReport(report.evidence, report.findings, {
      source: undefined,
      failOn: 'critical',
    });
    const passing = buildReport(
      report.evidence,
      report.findings.filter((f) => f.severity !== 'critical'),
      { source: undefined, failOn: 'critical' },
    );
    expect(renderMarkdown(lenient)).toMatch(/^### ❌ devicebound: fail\n/);
    expect(renderMarkdown(passing).split('\n').slice(0, 3)).toEqual([
      '### ✅ devicebound: pass',
      '',
      'login and sync stayed inside the device-flow boundary in 6 scenarios; 13 findings below `critical`.',
    ]);
  });

  it('says inconclusive when nothing reached the lab', () => {
    const evidence = goldenEvidence();
    for (const run of evidence.runs) run.events = [];
    const markdown = renderMarkdown(
      buildReport(evidence, [], { source: undefined, failOn: 'low' }),
    );
    expect(markdown).toMatch(/^### ⚠️ devicebound: inconclusive\n\nNo request reached the lab/);
    expect(markdown).toContain('| login | approve | ⚠️ no lab contact |');
  });

  it('has one table row per scenario, with its verdict and checks', () => {
    const report = goldenReport();
    const rows = tableRows(renderMarkdown(report));
    expect(cells(rows[0] as string)).toEqual([
      'Task',
      'Scenario',
      'Verdict',
      'Exit',
      'Time',
      'Findings',
    ]);
    const body = rows.slice(2).map(cells);
    expect(body.map((row) => row.slice(0, 4))).toEqual(
      report.scenarios.map((s) => [
        s.task,
        s.scenario,
        s.passed ? '✅ pass' : '❌ fail',
        `${s.exitCode}`,
      ]),
    );
    // Findings below fail_on are in italics.
    expect(body[0]?.[5]).toBe('_`poll-interval`_');
    expect(body[3]?.[5]).toBe('`excess-scope`, `secret-at-rest`, `secret-in-output`');
  });

  it('drops the task column for a single task', () => {
    const evidence = goldenEvidence();
    evidence.runs = evidence.runs.filter((run) => run.task === 'sync');
    const report = goldenReport();
    const single = buildReport(
      evidence,
      report.findings.filter((f) => f.task === 'sync'),
      { source: undefined, failOn: 'high' },
    );
    const rows = tableRows(renderMarkdown(single));
    expect(cells(rows[0] as string)).toEqual(['Scenario', 'Verdict', 'Exit', 'Time', 'Findings']);
    expect(rows).toHaveLength(5);
  });

  it('groups findings by check, most severe first, each with its fix once', () => {
    const report = goldenReport();
    const markdown = renderMarkdown(report);
    const headings = markdown.split('\n').filter((line) => line.startsWith('#### '));
    expect(headings).toEqual([
      '#### 🔴 `secret-at-rest` · critical',
      '#### 🔴 `excess-scope` · high',
      '#### 🔴 `secret-in-output` · high',
      '#### 🔴 `session-reuse` · high',
      '#### 🔴 `silent-refresh` · high',
      '#### 🟠 `poll-interval` · medium (below `high`)',
    ]);
    const fixes = markdown.split('\n').filter((line) => line.startsWith('**Fix:** '));
    expect(fixes).toHaveLength(headings.length);
    // A fix's `code` stays code.
    expect(markdown).toContain('set `session: reuse` for tasks');
  });

  it('folds evidence into <details>, at most five items, never a full fingerprint', () => {
    const report = goldenReport();
    const finding = report.findings.find((f) => f.check === 'secret-in-output') as Finding;
    const item = finding.evidence[0] as EvidenceItem;
    finding.evidence = Array.from({ length: 8 }, () => item);
    const markdown = renderMarkdown(report);
    const block = markdown.slice(markdown.indexOf('<details><summary>Evidence (8)</summary>'));
    const items = block.slice(0, block.indexOf('</details>')).split('\n');
    expect(items.filter((line) => line.startsWith('- '))).toHaveLength(6);
    expect(items).toContain('- … and 3 more');
    expect(markdown).not.toMatch(/sha256:[0-9a-f]{20}/);
    expect(markdown).toContain(`\`${item.fingerprint?.slice(0, 19)}…\``);
  });

  it('keeps a message with pipes and markup inside its table cell and its paragraph', () => {
    const report = goldenReport();
    const scenario = report.scenarios[0];
    if (!scenario) throw new Error('fixture changed');
    scenario.task = 'a|b';
    const finding = report.findings[0] as Finding;
    finding.task = 'a|b';
    finding.message = 'wrote `x` | <img src=y> to *~/a_b* [link](http://e) @octocat\nnext';
    const markdown = renderMarkdown(report);
    const row = tableRows(markdown)[2] as string;
    expect(cells(row)).toHaveLength(6);
    expect(cells(row)[0]).toBe('a\\|b');
    expect(markdown).toContain(
      '**a\\|b · approve**: wrote \\`x\\` \\| \\<img src=y\\> to \\*\\~/a\\_b\\* \\[link\\](http://e) @\u200boctocat next',
    );
  });
});
