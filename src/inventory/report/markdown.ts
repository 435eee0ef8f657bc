import type { Severity } from '../../policy/types.ts';
import { isFailingEntry } from '../index.ts';
import type { InventoryEntry, InventoryReport } from '../model.ts';
import { age, entryTitle, homePath } from './describe.ts';

/** The Markdown report (CI step summaries): a verdict and one table row per entry; with several
 * homes, one table per home (the file column shows `~/…` paths, which alone would not say whose). */
export function renderInventoryMarkdown(report: InventoryReport): string {
  const { summary } = report;
  const lines: string[] = [];
  lines.push(
    summary.passed ? '### ✅ devicebound inventory: pass' : '### ❌ devicebound inventory: fail',
  );
  lines.push('');
  lines.push(
    summary.passed
      ? `No cached credential at or above \`${report.failOn}\` in ${report.homes.map((h) => `\`${cell(h)}\``).join(', ')} (${summary.entries} entries).`
      : `**${summary.failing} of ${summary.entries} entries at or above \`${report.failOn}\`** in ${report.homes.map((h) => `\`${cell(h)}\``).join(', ')}.`,
  );
  lines.push('');
  if (report.homes.length > 1) {
    for (const home of report.homes) {
      const entries = report.entries.filter((entry) => entry.home === home);
      const unread = report.problems.find((problem) => problem.path === home);
      lines.push(
        unread && entries.length === 0
          ? `#### \`${cell(home)}\`: not read (${cell(unread.reason)})`
          : `#### \`${cell(home)}\`: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`,
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
      lines.push(`- \`${cell(problem.path)}\`: ${cell(problem.reason)}`);
    lines.push('');
    lines.push('</details>');
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The entries' table and a blank line after it; nothing for no entries. */
function table(entries: InventoryEntry[], failOn: Severity): string[] {
  if (entries.length === 0) return [];
  const lines = [
    '| Severity | Tool | File | Credentials | Storage | Renews unattended | Expires | Mode | Changed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | ---: |',
  ];
  for (const entry of entries) {
    const severity = isFailingEntry(entry, failOn) ? `**${entry.severity}**` : entry.severity;
    const expires = entry.expiresAt ? `${entry.expired ? 'expired ' : ''}${entry.expiresAt}` : '';
    lines.push(
      `| ${severity} | ${cell(entryTitle(entry))} | \`${cell(homePath(entry))}\` | ${entry.status === 'ok' ? entry.kinds.join(', ') || 'none' : entry.status} | ${entry.storage} | ${entry.unattendedRenewal ? 'yes' : 'no'} | ${expires} | ${entry.mode} (${entry.readableBy}) | ${age(entry.ageSeconds)} |`,
    );
  }
  lines.push('');
  return lines;
}

function cell(text: string): string {
  return text.replace(/[|`<>]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}
