/**
 * The JUnit XML report: one `<testsuite>` per home, one `<testcase>` per entry; an entry at or
 * above `--fail-on` is a `<failure>`, a problem (unreadable file, symlink out of the home) an
 * `<error>`, so the XML agrees with the exit code.
 */
import { xmlSafe } from '../../report/junit.ts';
import { isFailingEntry } from '../index.ts';
import type { InventoryReport } from '../model.ts';
import { entryFacts, entryTitle, fingerprints, homePath } from './describe.ts';

export function renderInventoryJunit(report: InventoryReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const suites = report.homes.map((home) => {
    const entries = report.entries.filter((entry) => entry.home === home);
    const problems = report.problems.filter(
      (p) => p.path === home || p.path.startsWith(`${home.replace(/\/+$/, '')}/`),
    );
    return { home, entries, problems };
  });
  const homeless = report.problems.filter((p) => !suites.some((s) => s.problems.includes(p)));
  const failures = report.entries.filter((e) => isFailingEntry(e, report.failOn)).length;
  const tests = report.entries.length + report.problems.length;
  lines.push(
    `<testsuites${attrs({ name: 'devicebound inventory', tests, failures, errors: report.problems.length, time: '0' })}>`,
  );
  for (const [id, suite] of suites.entries()) {
    const suiteFailures = suite.entries.filter((e) => isFailingEntry(e, report.failOn)).length;
    const extra = id === 0 ? homeless : [];
    const problems = [...suite.problems, ...extra];
    lines.push(
      `  <testsuite${attrs({ name: suite.home, id, package: 'devicebound.inventory', tests: suite.entries.length + problems.length, failures: suiteFailures, errors: problems.length, skipped: 0, time: '0', timestamp: report.createdAt.slice(0, 19) })}>`,
    );
    lines.push('    <properties>');
    lines.push(`      <property${attrs({ name: 'failOn', value: report.failOn })}/>`);
    lines.push(`      <property${attrs({ name: 'createdAt', value: report.createdAt })}/>`);
    lines.push('    </properties>');
    for (const entry of suite.entries) {
      const name = `${entry.tool} ${homePath(entry)}${entry.label ? ` [${entry.label}]` : ''}`;
      const open = `    <testcase${attrs({ name, classname: `devicebound.inventory.${entry.tool}`, time: '0' })}`;
      const body = [
        `severity: ${entry.severity}`,
        entryFacts(entry),
        ...fingerprints(entry),
        ...entry.notes.map((note) => `note: ${note}`),
      ].join('\n');
      if (isFailingEntry(entry, report.failOn)) {
        lines.push(`${open}>`);
        lines.push(
          `      <failure${attrs({ message: `${entryTitle(entry)}: ${entry.severity}`, type: entry.severity })}>${text(body)}</failure>`,
        );
        lines.push('    </testcase>');
      } else {
        lines.push(`${open}>`);
        lines.push(`      <system-out>${text(body)}</system-out>`);
        lines.push('    </testcase>');
      }
    }
    for (const problem of problems) {
      lines.push(
        `    <testcase${attrs({ name: problem.path, classname: 'devicebound.inventory.problem', time: '0' })}>`,
      );
      lines.push(`      <error${attrs({ message: problem.reason, type: 'problem' })}/>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(
      ([name, value]) =>
        ` ${name}="${text(String(value)).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;')}"`,
    )
    .join('');
}

function text(value: string): string {
  return xmlSafe(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}
