/**
 * The JUnit XML report, valid against the JUnit schema of Jenkins' xUnit plugin (the strictest
 * of the readers; test/fixtures/report/junit-10.xsd): one `<testsuite>` per task, one
 * `<testcase>` per scenario and check. A finding at or above `fail_on` is a `<failure>`; one below it passes with the
 * finding in `<system-out>`, so the XML agrees with the exit code.
 */
import { checksFor } from '../checks/index.ts';
import type { Finding } from '../checks/types.ts';
import { isFailing } from '../findings/index.ts';
import { type JunitCase, junitCounts, junitXml } from './kit/index.ts';
import { noContactReason, type Report, type ScenarioSummary } from './model.ts';
import { locationText } from './text.ts';

export function renderJunit(report: Report): string {
  const tasks = [...new Set(report.scenarios.map((scenario) => scenario.task))];
  const suites = tasks.map((task) => {
    const scenarios = report.scenarios.filter((scenario) => scenario.task === task);
    const cases = scenarios.flatMap((scenario) => casesOf(report, scenario));
    const durationMs = scenarios.reduce((sum, scenario) => sum + scenario.durationMs, 0);
    const properties = scenarios.flatMap((scenario): [string, string][] => [
      [`${scenario.scenario}.exitCode`, `${scenario.exitCode ?? 'none'}`],
      [`${scenario.scenario}.durationMs`, `${scenario.durationMs}`],
      [`${scenario.scenario}.timedOut`, `${scenario.timedOut}`],
      ...(scenario.spawnError
        ? [[`${scenario.scenario}.spawnError`, scenario.spawnError] as [string, string]]
        : []),
    ]);
    return { task, cases, durationMs, properties };
  });

  const all = junitCounts(suites.flatMap((suite) => suite.cases));
  const total = seconds(suites.reduce((sum, suite) => sum + suite.durationMs, 0));
  // Ant's timestamp form: UTC, without zone or fraction.
  const timestamp = report.createdAt.slice(0, 19);
  // <testsuites> takes only the attributes every reader knows (no skipped, no timestamp).
  return junitXml(
    {
      name: 'devicebound',
      tests: all.tests,
      failures: all.failures,
      errors: all.errors,
      time: total,
    },
    suites.map((suite, i) => ({
      attributes: {
        name: suite.task,
        id: i,
        package: 'devicebound',
        ...junitCounts(suite.cases),
        time: seconds(suite.durationMs),
        timestamp,
      },
      properties: [
        ['createdAt', report.createdAt],
        ['failOn', report.policy.failOn],
        ...(report.policy.source ? [['policy', report.policy.source] as const] : []),
        ...suite.properties,
      ],
      cases: suite.cases,
    })),
  );
}

function casesOf(report: Report, scenario: ScenarioSummary): JunitCase[] {
  const findings = report.findings.filter(
    (finding) => finding.task === scenario.task && finding.scenario === scenario.scenario,
  );
  // The checks this run was judged by (a capture: those traffic decides; a lab run: all but
  // the capture-only ones): a check not run is no passed test.
  return checksFor(scenario).map((check): JunitCase => {
    const testcase: JunitCase = {
      name: check,
      classname: `devicebound.${scenario.task}.${scenario.scenario}`,
    };
    const finding = findings.find((f) => f.check === check);
    if (finding) {
      if (isFailing(finding, report.policy.failOn)) {
        testcase.failure = {
          message: finding.message,
          type: finding.check,
          body: details(finding),
        };
      } else {
        testcase.systemOut = `${finding.severity} finding below fail_on ${report.policy.failOn}: ${finding.message}\n${details(finding)}`;
      }
    } else if (scenario.spawnError) {
      testcase.error = {
        message: `the program could not start: ${scenario.spawnError}`,
        type: 'spawn-error',
      };
    } else if (scenario.noLabContact) {
      testcase.skipped = `no request reached the lab, nothing to judge: ${noContactReason(scenario)}`;
    }
    return testcase;
  });
}

function details(finding: Finding): string {
  const lines = [
    `severity: ${finding.severity}`,
    `standards: ${finding.standards.join(', ')}`,
    'evidence:',
    ...finding.evidence.map((item) => {
      const parts = [`  - ${item.summary}`];
      const named = item.location?.type === 'file' ? item.location.path : item.location?.stream;
      if (item.location && named !== undefined && !item.summary.includes(named))
        parts.push(`at ${locationText(item.location)}`);
      if (item.preview && item.fingerprint) parts.push(`[${item.preview} ${item.fingerprint}]`);
      return parts.join(' ');
    }),
    `fix: ${finding.fix}`,
  ];
  return lines.join('\n');
}

/** Milliseconds as seconds with three decimals (checks take no time of their own: cases are 0). */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
