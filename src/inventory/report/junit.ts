/**
 * The JUnit XML report: one `<testsuite>` per home, one `<testcase>` per entry; an entry at or
 * above `--fail-on` is a `<failure>`, a problem (unreadable file, symlink out of the home) an
 * `<error>`, so the XML agrees with the exit code.
 */
import { isFailing } from '../../findings/index.ts';
import { type JunitCase, junitCounts, junitXml } from '../../report/kit/index.ts';
import type { InventoryEntry, InventoryProblem, InventoryReport } from '../model.ts';
import { entryFacts, entryTitle, fingerprints, homePath } from './describe.ts';

export function renderInventoryJunit(report: InventoryReport): string {
  const suites = report.homes.map((home) => {
    const entries = report.entries.filter((entry) => entry.home === home);
    const problems = report.problems.filter(
      (p) => p.path === home || p.path.startsWith(`${home.replace(/\/+$/, '')}/`),
    );
    return { home, entries, problems };
  });
  const homeless = report.problems.filter((p) => !suites.some((s) => s.problems.includes(p)));
  const timestamp = report.createdAt.slice(0, 19);
  const all = junitCounts([
    ...report.entries.map((entry) => entryCase(entry, report)),
    ...report.problems.map(problemCase),
  ]);
  return junitXml(
    {
      name: 'devicebound inventory',
      tests: all.tests,
      failures: all.failures,
      errors: all.errors,
      time: '0',
    },
    suites.map((suite, id) => {
      const problems = [...suite.problems, ...(id === 0 ? homeless : [])];
      const cases = [
        ...suite.entries.map((entry) => entryCase(entry, report)),
        ...problems.map(problemCase),
      ];
      const { tests, failures, errors } = junitCounts(cases);
      return {
        attributes: {
          name: suite.home,
          id,
          package: 'devicebound.inventory',
          tests,
          failures,
          errors,
          skipped: 0,
          time: '0',
          timestamp,
        },
        properties: [
          ['failOn', report.failOn],
          ['createdAt', report.createdAt],
        ],
        cases,
      };
    }),
  );
}

function entryCase(entry: InventoryEntry, report: InventoryReport): JunitCase {
  const testcase = {
    name: `${entry.tool} ${homePath(entry)}${entry.label ? ` [${entry.label}]` : ''}`,
    classname: `devicebound.inventory.${entry.tool}`,
  };
  const body = [
    `severity: ${entry.severity}`,
    entryFacts(entry),
    ...fingerprints(entry),
    ...entry.notes.map((note) => `note: ${note}`),
  ].join('\n');
  return isFailing(entry, report.failOn)
    ? {
        ...testcase,
        failure: { message: `${entryTitle(entry)}: ${entry.severity}`, type: entry.severity, body },
      }
    : { ...testcase, systemOut: body };
}

function problemCase(problem: InventoryProblem): JunitCase {
  return {
    name: problem.path,
    classname: 'devicebound.inventory.problem',
    error: { message: problem.reason, type: 'problem' },
  };
}
