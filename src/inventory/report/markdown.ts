import { isFailingEntry } from '../index.ts';
import type { InventoryReport } from '../model.ts';
import { age, entryTitle, homePath } from './describe.ts';

/** The Markdown report (CI step summaries): a verdict and one table row per entry. */
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
  if (report.entries.length) {
    lines.push(
      '| Severity | Tool | File | Credentials | Storage | Renews unattended | Expires | Mode | Changed |',
    );
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | ---: |');
    for (const entry of report.entries) {
      const severity = isFailingEntry(entry, report.failOn)
        ? `**${entry.severity}**`
        : entry.severity;
      const expires = entry.expiresAt ? `${entry.expired ? 'expired ' : ''}${entry.expiresAt}` : '';
      lines.push(
        `| ${severity} | ${cell(entryTitle(entry))} | \`${cell(homePath(entry))}\` | ${entry.status === 'ok' ? entry.kinds.join(', ') || 'none' : entry.status} | ${entry.storage} | ${entry.unattendedRenewal ? 'yes' : 'no'} | ${expires} | ${entry.mode} (${entry.readableBy}) | ${age(entry.ageSeconds)} |`,
      );
    }
    lines.push('');
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

function cell(text: string): string {
  return text.replace(/[|`<>]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}
