/**
 * The JUnit XML report, valid against the JUnit schema of Jenkins' xUnit plugin (the strictest
 * of the readers; test/fixtures/report/junit-10.xsd): one `<testsuite>` per task, one
 * `<testcase>` per scenario and check. A finding at or above `fail_on` is a `<failure>`; one below it passes with the
 * finding in `<system-out>`, so the XML agrees with the exit code.
 */
import { CHECK_IDS } from '../checks/index.ts';
import type { Finding } from '../checks/types.ts';
import { isFailing, type Report, type ScenarioSummary } from './model.ts';
import { locationText } from './text.ts';

interface Case {
  name: string;
  classname: string;
  failure?: { message: string; type: string; body: string };
  error?: { message: string; type: string };
  skipped?: string;
  systemOut?: string;
}

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

  const count = (cases: Case[]) => ({
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => c.error).length,
    skipped: cases.filter((c) => c.skipped !== undefined).length,
  });
  const all = count(suites.flatMap((suite) => suite.cases));
  const total = seconds(suites.reduce((sum, suite) => sum + suite.durationMs, 0));
  // Ant's timestamp form: UTC, without zone or fraction.
  const timestamp = report.createdAt.slice(0, 19);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  // <testsuites> takes only the attributes every reader knows (no skipped, no timestamp).
  lines.push(
    `<testsuites${attributes({ name: 'devicebound', tests: all.tests, failures: all.failures, errors: all.errors, time: total })}>`,
  );
  for (const [i, suite] of suites.entries()) {
    lines.push(
      `  <testsuite${attributes({ name: suite.task, id: i, package: 'devicebound', ...count(suite.cases), time: seconds(suite.durationMs), timestamp })}>`,
    );
    lines.push('    <properties>');
    lines.push(`      <property${attributes({ name: 'createdAt', value: report.createdAt })}/>`);
    lines.push(`      <property${attributes({ name: 'failOn', value: report.policy.failOn })}/>`);
    if (report.policy.source)
      lines.push(`      <property${attributes({ name: 'policy', value: report.policy.source })}/>`);
    for (const [name, value] of suite.properties)
      lines.push(`      <property${attributes({ name, value })}/>`);
    lines.push('    </properties>');
    for (const testcase of suite.cases) lines.push(...caseLines(testcase));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function casesOf(report: Report, scenario: ScenarioSummary): Case[] {
  const findings = report.findings.filter(
    (finding) => finding.task === scenario.task && finding.scenario === scenario.scenario,
  );
  return CHECK_IDS.map((check): Case => {
    const testcase: Case = {
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
      testcase.skipped =
        'no request reached the lab: nothing to judge (does the program read DEVICEBOUND_ISSUER?)';
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

function caseLines(testcase: Case): string[] {
  const open = `    <testcase${attributes({ name: testcase.name, classname: testcase.classname, time: '0' })}`;
  const children: string[] = [];
  if (testcase.failure) {
    children.push(
      `      <failure${attributes({ message: testcase.failure.message, type: testcase.failure.type })}>${text(testcase.failure.body)}</failure>`,
    );
  }
  if (testcase.error) children.push(`      <error${attributes(testcase.error)}/>`);
  if (testcase.skipped !== undefined)
    children.push(`      <skipped${attributes({ message: testcase.skipped })}/>`);
  if (testcase.systemOut !== undefined)
    children.push(`      <system-out>${text(testcase.systemOut)}</system-out>`);
  if (children.length === 0) return [`${open}/>`];
  return [`${open}>`, ...children, '    </testcase>'];
}

/** Milliseconds as seconds with three decimals (checks take no time of their own: cases are 0). */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${attribute(String(value))}"`)
    .join('');
}

/**
 * Characters XML 1.0 cannot hold at all (C0 controls other than tab, newline and carriage
 * return; lone surrogates; U+FFFE and U+FFFF) are written as a visible `\xNN` / `\uNNNN`.
 */
export function xmlSafe(value: string): string {
  return value.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it replaces
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g,
    (char) => {
      const code = char.charCodeAt(0);
      return code < 0x100
        ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
        : `\\u${code.toString(16).toUpperCase()}`;
    },
  );
}

/** Element text: `&`, `<` and `>` escaped (so `]]>` cannot appear), CR kept as a reference. */
function text(value: string): string {
  return xmlSafe(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** An attribute value in double quotes; tab and newline as character references, so
 * attribute-value normalisation does not turn them into spaces. */
function attribute(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
