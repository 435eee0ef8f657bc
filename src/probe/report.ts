/**
 * `probe`'s reports, on the report kit: text for a terminal, JSON (the report itself), SARIF
 * 2.1.0 (one rule per server check; results located at the issuer's metadata URL), JUnit (one
 * case per server check: failed, passed or skipped with why) and Markdown. Nothing here holds a
 * credential: the report has request lines and estimates, never a code or a token.
 */
import { identityHash, isFailing, SEVERITIES, severityRank } from '../findings/index.ts';
import {
  byFormat,
  codeText,
  escapeMarkdown,
  type JunitCase,
  junitCounts,
  junitXml,
  markdownTable,
  painter,
  type Rendered,
  type Renderer,
  type RenderOptions,
  SEVERITY_STYLE,
  sarifLog,
  sarifResult,
  sarifRule,
  terminalText,
} from '../report/kit/index.ts';
import { SERVER_CHECKS } from './checks.ts';
import type { ProbeFormat } from './formats.ts';
import type { ProbeReport } from './run.ts';

export const renderProbe = byFormat({
  text: renderText,
  json: (report) => `${JSON.stringify(report, null, 2)}\n`,
  sarif: renderSarif,
  junit: renderJunit,
  markdown: renderMarkdown,
} satisfies Record<ProbeFormat, Renderer<ProbeReport, Rendered>>);

function verdict(report: ProbeReport): string {
  const failing = report.findings.filter((f) => isFailing(f, report.failOn)).length;
  return report.summary.passed
    ? `PASS  ${report.issuer}: no finding at or above ${report.failOn}`
    : `FAIL  ${report.issuer}: ${failing} finding${failing === 1 ? '' : 's'} at or above ${report.failOn}`;
}

function renderText(report: ProbeReport, options: RenderOptions): string {
  const paint = painter(options.color);
  const lines = [
    paint(report.summary.passed ? 'green' : 'red', terminalText(verdict(report))),
    paint(
      'dim',
      `  ${report.requests.length} of at most ${report.maxRequests} requests${report.stopped ? `; stopped early: ${terminalText(report.stopped)}` : ''}`,
    ),
    '',
  ];
  const findings = [...report.findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity),
  );
  for (const item of findings) {
    lines.push(
      `● ${paint(SEVERITY_STYLE[item.severity], `${item.check} (${item.severity})`)}  ${item.standards.join(' · ')}`,
    );
    lines.push(`  ${terminalText(item.message)}`);
    for (const evidence of item.evidence)
      lines.push(paint('dim', `    - ${terminalText(evidence)}`));
    lines.push(paint('dim', `  fix: ${item.fix}`));
    lines.push('');
  }
  if (report.passed.length > 0) lines.push(`passed: ${report.passed.join(', ')}`);
  if (report.notRun.length > 0) {
    lines.push('not run:');
    for (const { check, why } of report.notRun) lines.push(`  ${check}: ${terminalText(why)}`);
  }
  if (report.facts.length > 0) {
    lines.push('read:');
    for (const fact of report.facts) lines.push(`  ${terminalText(fact)}`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function renderSarif(report: ProbeReport): string {
  const ids = SERVER_CHECKS.map((check) => check.id as string);
  const metadata = `${report.issuer.replace(/\/$/, '')}/.well-known/oauth-authorization-server`;
  return sarifLog({
    tool: report.tool,
    rules: SERVER_CHECKS.map((check) =>
      sarifRule({
        id: check.id,
        description: check.title,
        severity: check.severity,
        help: { text: check.fix },
        tags: ['security', ...check.standards],
      }),
    ),
    automationId: `devicebound-probe/${report.createdAt}`,
    invocation: {
      passed: report.summary.passed,
      startTimeUtc: report.createdAt,
      notifications: report.notRun.map(({ check, why }) => ({
        level: 'note' as const,
        message: { text: `${check} not run: ${why}` },
      })),
    },
    results: report.findings.map((item) =>
      sarifResult({
        ruleId: item.check,
        ruleIndex: Math.max(0, ids.indexOf(item.check)),
        severity: item.severity,
        message: `${report.issuer}: ${item.message}`,
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: metadata } },
            message: { text: 'the authorization server, as its metadata describes it' },
          },
        ],
        partialFingerprints: {
          'deviceboundProbe/v1': identityHash([item.check, report.issuer]).slice(0, 32),
        },
        properties: { severity: item.severity, evidence: item.evidence },
      }),
    ),
    columnKind: 'utf16CodeUnits',
    properties: { issuer: report.issuer, failOn: report.failOn, requests: report.requests.length },
  });
}

function renderJunit(report: ProbeReport): string {
  const cases: JunitCase[] = SERVER_CHECKS.map((check) => {
    const found = report.findings.find((f) => f.check === check.id);
    const notRun = report.notRun.find((n) => n.check === check.id);
    const base = { name: check.id, classname: `probe.${report.issuer}` };
    if (found && isFailing(found, report.failOn)) {
      return {
        ...base,
        failure: {
          message: found.message,
          type: found.severity,
          body: found.evidence.join('\n'),
        },
      };
    }
    if (found) return { ...base, systemOut: `${found.severity}: ${found.message}` };
    if (notRun) return { ...base, skipped: notRun.why };
    return base;
  });
  const counts = junitCounts(cases);
  return junitXml(
    { name: 'devicebound probe', tests: counts.tests, failures: counts.failures, errors: 0 },
    [
      {
        attributes: {
          name: report.issuer,
          tests: counts.tests,
          failures: counts.failures,
          errors: counts.errors,
          skipped: counts.skipped,
          timestamp: report.createdAt.slice(0, 19),
        },
        cases,
      },
    ],
  );
}

function renderMarkdown(report: ProbeReport): string {
  const lines = [`## devicebound probe: ${escapeMarkdown(verdict(report))}`, ''];
  const counts = SEVERITIES.filter((s) => report.summary.bySeverity[s] > 0)
    .map((s) => `${report.summary.bySeverity[s]} ${s}`)
    .join(', ');
  lines.push(
    `${report.requests.length} of at most ${report.maxRequests} requests${counts ? `; findings: ${counts}` : ''}${report.stopped ? `; stopped early: ${escapeMarkdown(report.stopped)}` : ''}`,
    '',
  );
  if (report.findings.length > 0) {
    lines.push(
      ...markdownTable(
        ['check', 'severity', 'finding', 'standards'],
        report.findings.map((f) => [
          { code: f.check },
          f.severity,
          escapeMarkdown(f.message),
          escapeMarkdown(f.standards.join(', ')),
        ]),
      ),
      '',
    );
  }
  if (report.notRun.length > 0) {
    lines.push(
      `Not run: ${report.notRun.map((n) => `${codeText(n.check)} (${escapeMarkdown(n.why)})`).join('; ')}`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
