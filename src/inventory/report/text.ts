import { isFailing, SEVERITIES, severityRank } from '../../findings/index.ts';
import {
  painter,
  type RenderOptions,
  SEVERITY_STYLE,
  terminalText,
} from '../../report/kit/index.ts';
import type { InventoryReport } from '../model.ts';
import { entryFacts, entryTitle, fingerprints, homePath } from './describe.ts';

/**
 * The terminal report: a verdict, then entries most severe first, grouped by home. Paths,
 * labels and notes come from disk: shown, never obeyed by the terminal.
 */
export function renderInventoryText(report: InventoryReport, options: RenderOptions): string {
  const paint = painter(options.color);
  const lines: string[] = [];
  const { summary } = report;
  const counts = [...SEVERITIES]
    .reverse()
    .filter((s) => summary.bySeverity[s] > 0)
    .map((s) => `${summary.bySeverity[s]} ${s}`)
    .join(', ');
  lines.push(
    summary.passed
      ? paint('green', `PASS  no cached credential at or above ${report.failOn}`) +
          ` (${summary.entries} entries${counts ? `: ${counts}` : ''})`
      : `${paint(
          'red',
          `FAIL  ${summary.failing} cached credential entr${summary.failing === 1 ? 'y' : 'ies'} at or above ${report.failOn}`,
        )} (${counts})`,
  );
  for (const home of report.homes) {
    const entries = report.entries
      .filter((entry) => entry.home === home)
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    lines.push('');
    // A home that could not be opened has no entries: say so rather than "0 entries".
    const unread = report.problems.find((problem) => problem.path === home);
    lines.push(
      terminalText(
        unread && entries.length === 0
          ? `${home}  not read: ${unread.reason}`
          : `${home}  ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`,
      ),
    );
    for (const entry of entries) {
      const mark = isFailing(entry, report.failOn) ? '✗' : '·';
      lines.push(
        `  ${mark} ${paint(SEVERITY_STYLE[entry.severity], entry.severity.padEnd(8))} ${terminalText(`${entryTitle(entry)}  ${homePath(entry)}`)}`,
      );
      lines.push(`      ${terminalText(entryFacts(entry))}`);
      const prints = fingerprints(entry);
      if (prints.length) lines.push(paint('dim', `      ${prints.join('; ')}`));
      for (const note of entry.notes) lines.push(paint('dim', `      note: ${terminalText(note)}`));
    }
  }
  if (report.problems.length) {
    lines.push('');
    lines.push(`problems (${report.problems.length}):`);
    for (const problem of report.problems)
      lines.push(`  ! ${terminalText(`${problem.path}: ${problem.reason}`)}`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
