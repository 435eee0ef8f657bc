import type { Severity } from '../../policy/types.ts';
import { isFailingEntry } from '../index.ts';
import type { InventoryReport } from '../model.ts';
import { entryFacts, entryTitle, fingerprints, homePath } from './describe.ts';

const COLORS: Record<Severity, number> = { critical: 31, high: 31, medium: 33, low: 36, info: 2 };

/** The terminal report: a verdict, then entries most severe first, grouped by home. */
export function renderInventoryText(report: InventoryReport, options: { color: boolean }): string {
  const paint = (code: number, text: string) =>
    options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  const lines: string[] = [];
  const { summary } = report;
  const counts = (['critical', 'high', 'medium', 'low', 'info'] as const)
    .filter((s) => summary.bySeverity[s] > 0)
    .map((s) => `${summary.bySeverity[s]} ${s}`)
    .join(', ');
  lines.push(
    summary.passed
      ? paint(32, `PASS  no cached credential at or above ${report.failOn}`) +
          ` (${summary.entries} entries${counts ? `: ${counts}` : ''})`
      : `${paint(
          31,
          `FAIL  ${summary.failing} cached credential entr${summary.failing === 1 ? 'y' : 'ies'} at or above ${report.failOn}`,
        )} (${counts})`,
  );
  for (const home of report.homes) {
    const entries = report.entries
      .filter((entry) => entry.home === home)
      .sort((a, b) => rank(b.severity) - rank(a.severity));
    lines.push('');
    // A home that could not be opened has no entries: say so rather than "0 entries".
    const unread = report.problems.find((problem) => problem.path === home);
    lines.push(
      unread && entries.length === 0
        ? `${home}  not read: ${unread.reason}`
        : `${home}  ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`,
    );
    for (const entry of entries) {
      const mark = isFailingEntry(entry, report.failOn) ? '✗' : '·';
      lines.push(
        `  ${mark} ${paint(COLORS[entry.severity], entry.severity.padEnd(8))} ${entryTitle(entry)}  ${homePath(entry)}`,
      );
      lines.push(`      ${entryFacts(entry)}`);
      const prints = fingerprints(entry);
      if (prints.length) lines.push(paint(2, `      ${prints.join('; ')}`));
      for (const note of entry.notes) lines.push(paint(2, `      note: ${note}`));
    }
  }
  if (report.problems.length) {
    lines.push('');
    lines.push(`problems (${report.problems.length}):`);
    for (const problem of report.problems) lines.push(`  ! ${problem.path}: ${problem.reason}`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function rank(severity: Severity): number {
  return ['info', 'low', 'medium', 'high', 'critical'].indexOf(severity);
}
