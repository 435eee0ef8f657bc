import { isFailing, type Severity } from '../../findings/index.ts';
import { codeText, escapeMarkdown, markdownTable } from '../../report/kit/index.ts';
import type { InventoryEntry, InventoryReport } from '../model.ts';
import { age, entryTitle, homePath } from './describe.ts';

/** The Markdown report (CI step summaries): a verdict and one table row per entry; with several
 * homes, one table per home (the file column shows `~/…` paths, which alone would not say whose).
 * Paths, labels and reasons come from disk: they are escaped, never read as markup. */
export function renderInventoryMarkdown(report: InventoryReport): string {
  const { summary } = report;
  const lines: string[] = [];
  const homes = report.homes.map((home) => `\`${codeText(home)}\``).join(', ');
  lines.push(
    summary.passed ? '### ✅ devicebound inventory: pass' : '### ❌ devicebound inventory: fail',
  );
  lines.push('');
  lines.push(
    summary.passed
      ? `No cached credential at or above \`${report.failOn}\` in ${homes} (${summary.entries} entries).`
      : `**${summary.failing} of ${summary.entries} entries at or above \`${report.failOn}\`** in ${homes}.`,
  );
  lines.push('');
  if (report.homes.length > 1) {
    for (const home of report.homes) {
      const entries = report.entries.filter((entry) => entry.home === home);
      const unread = report.problems.find((problem) => problem.path === home);
      lines.push(
        unread && entries.length === 0
          ? `#### \`${codeText(home)}\`: not read (${escapeMarkdown(unread.reason)})`
          : `#### \`${codeText(home)}\`: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`,
      );
      lines.push('');
      lines.push(...table(entries, report.failOn));
    }
  } else {
    lines.push(...table(report.entries, report.failOn));
  }
  if (report.problems.length) {
    lines.push(`<details><summary>${report.problems.length} problem(s)</summary>`);
    lines.push('');
    for (const problem of report.problems)
      lines.push(`- \`${codeText(problem.path)}\`: ${escapeMarkdown(problem.reason)}`);
    lines.push('');
    lines.push('</details>');
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The entries' table and a blank line after it; nothing for no entries. */
function table(entries: InventoryEntry[], failOn: Severity): string[] {
  if (entries.length === 0) return [];
  const columns = ['Severity', 'Tool', 'File', 'Credentials', 'Storage', 'Renews unattended'];
  return [
    ...markdownTable(
      [...columns, 'Expires', 'Mode', { title: 'Changed', align: 'right' }],
      entries.map((entry) => [
        isFailing(entry, failOn) ? `**${entry.severity}**` : entry.severity,
        escapeMarkdown(entryTitle(entry)),
        { code: homePath(entry) },
        entry.status === 'ok' ? entry.kinds.join(', ') || 'none' : entry.status,
        entry.storage,
        entry.unattendedRenewal ? 'yes' : 'no',
        entry.expiresAt ? `${entry.expired ? 'expired ' : ''}${entry.expiresAt}` : '',
        `${entry.mode} (${entry.readableBy})`,
        age(entry.ageSeconds),
      ]),
    ),
    '',
  ];
}
