/**
 * The Markdown report, for GitHub step summaries ($GITHUB_STEP_SUMMARY) and pull-request
 * comments: a verdict line, one table row per scenario, findings grouped by check (most severe
 * first) with their fix, and the evidence folded away in `<details>`.
 */
import { CHECK_IDS } from '../checks/index.ts';
import type { CheckId, EvidenceItem, Finding } from '../checks/types.ts';
import { isFailing, type Severity, severityRank } from '../findings/index.ts';
import { codeText, escapeMarkdown, markdownTable } from './kit/index.ts';
import type { Report, ScenarioSummary } from './model.ts';
import { locationText } from './text.ts';

/** Evidence items shown per finding; the rest are counted. */
const EVIDENCE_SHOWN = 5;
const NOTES_SHOWN = 10;

export function renderMarkdown(report: Report): string {
  const { summary, policy } = report;
  const failing = report.findings.filter((finding) => isFailing(finding, policy.failOn));
  const tasks = [...new Set(report.scenarios.map((scenario) => scenario.task))];
  const multiTask = tasks.length > 1;
  const lines: string[] = [];

  const scenarios = plural(report.scenarios.length, 'scenario');
  if (summary.inconclusive) {
    lines.push('### ⚠️ devicebound: inconclusive');
    lines.push('');
    lines.push(
      `No request reached the lab in any of ${scenarios}: nothing was really checked. Does the program read \`DEVICEBOUND_ISSUER\`?`,
    );
  } else if (summary.passed) {
    lines.push('### ✅ devicebound: pass');
    lines.push('');
    const below = summary.findings
      ? `; ${plural(summary.findings, 'finding')} below \`${policy.failOn}\``
      : '';
    lines.push(
      `${list(tasks.map((task) => escapeMarkdown(task)))} stayed inside the device-flow boundary in ${scenarios}${below}.`,
    );
  } else {
    const failed = new Set(failing.map((f) => `${f.task}\0${f.scenario}`)).size;
    lines.push('### ❌ devicebound: fail');
    lines.push('');
    lines.push(
      `**${plural(failing.length, 'finding')} at or above \`${policy.failOn}\`** in ${failed} of ${scenarios}.`,
    );
  }
  if (policy.source) lines.push(`Policy: \`${codeText(policy.source)}\`.`);
  lines.push('');

  const rows = report.scenarios.map((scenario) => {
    const checks = report.findings
      .filter((f) => f.task === scenario.task && f.scenario === scenario.scenario)
      .map((f) => (isFailing(f, policy.failOn) ? `\`${f.check}\`` : `_\`${f.check}\`_`));
    return [
      ...(multiTask ? [escapeMarkdown(scenario.task)] : []),
      escapeMarkdown(scenario.scenario),
      verdict(scenario),
      exit(scenario),
      `${(scenario.durationMs / 1000).toFixed(1)} s`,
      checks.length > 0 ? checks.join(', ') : '—',
    ];
  });
  lines.push(
    ...markdownTable(
      [
        ...(multiTask ? ['Task'] : []),
        'Scenario',
        'Verdict',
        'Exit',
        { title: 'Time', align: 'right' } as const,
        'Findings',
      ],
      rows,
    ),
  );
  if (report.findings.some((f) => !isFailing(f, policy.failOn)))
    lines.push('', `<sub>_Italic_: below \`fail_on: ${policy.failOn}\`, reported only.</sub>`);

  for (const task of report.evidence.policy.tasks.filter((t) => t.requestedScopes)) {
    lines.push(
      '',
      `**${escapeMarkdown(task.name)}** (preset \`${codeText(task.preset ?? '')}\`) asks for ${(task.requestedScopes ?? []).map((scope) => `\`${codeText(scope)}\``).join(' ')}; the policy allows ${task.scopes.allow.map((scope) => `\`${codeText(scope)}\``).join(' ')}.`,
    );
  }
  const tried = report.scenarios.filter((scenario) => scenario.egress);
  if (tried.length > 0) {
    lines.push(
      '',
      'Destinations outside the played hosts (intercepted or refused by the egress proxy; nothing is forwarded):',
      '',
    );
    for (const scenario of tried) {
      const where = multiTask
        ? `${escapeMarkdown(scenario.task)} · ${escapeMarkdown(scenario.scenario)}`
        : escapeMarkdown(scenario.scenario);
      const list = (scenario.egress ?? []).map(
        (d) => `\`${codeText(`${d.host}:${d.port}`)}\`${d.attempts > 1 ? ` ×${d.attempts}` : ''}`,
      );
      lines.push(`- ${where}: ${list.join(', ')}`);
    }
  }

  for (const [check, findings] of groupByCheck(report.findings)) {
    const first = findings[0] as Finding;
    const below = isFailing(first, policy.failOn) ? '' : ` (below \`${policy.failOn}\`)`;
    lines.push('');
    lines.push(`#### ${SEVERITY_MARK[first.severity]} \`${check}\` · ${first.severity}${below}`);
    lines.push('');
    lines.push(
      `<sub>${first.standards.map((standard) => escapeMarkdown(standard)).join(' · ')}</sub>`,
    );
    for (const finding of findings) {
      const where = multiTask
        ? `${escapeMarkdown(finding.task)} · ${escapeMarkdown(finding.scenario)}`
        : escapeMarkdown(finding.scenario);
      lines.push('');
      lines.push(`**${where}**: ${escapeMarkdown(finding.message)}`);
      if (finding.evidence.length > 0) {
        lines.push('');
        lines.push(
          `<details><summary>Evidence (${finding.evidence.length})</summary>`,
          '',
          ...finding.evidence.slice(0, EVIDENCE_SHOWN).map((item) => `- ${evidenceLine(item)}`),
          ...(finding.evidence.length > EVIDENCE_SHOWN
            ? [`- … and ${finding.evidence.length - EVIDENCE_SHOWN} more`]
            : []),
          '',
          '</details>',
        );
      }
    }
    lines.push('');
    // The fixes are the checks' own text, with `code` meant as code.
    lines.push(`**Fix:** ${escapeMarkdown(first.fix, { code: true })}`);
  }

  const notes = report.evidence.runs.flatMap((run) =>
    [...new Set(run.notes)].map((note) => `${run.task} · ${run.scenario}: ${note}`),
  );
  if (notes.length > 0) {
    lines.push('');
    lines.push(
      `<details><summary>Harness notes (${notes.length})</summary>`,
      '',
      ...notes.slice(0, NOTES_SHOWN).map((note) => `- ${escapeMarkdown(note)}`),
      ...(notes.length > NOTES_SHOWN ? [`- … and ${notes.length - NOTES_SHOWN} more`] : []),
      '',
      '</details>',
    );
  }
  lines.push('');
  lines.push(
    `<sub>${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · ${escapeMarkdown(report.createdAt)}</sub>`,
  );
  return `${lines.join('\n')}\n`;
}

const SEVERITY_MARK: Record<Severity, string> = {
  critical: '🔴',
  high: '🔴',
  medium: '🟠',
  low: '🟡',
  info: '⚪',
};

function verdict(scenario: ScenarioSummary): string {
  if (scenario.spawnError) return '⚠️ could not start';
  if (!scenario.passed) return '❌ fail';
  if (scenario.noLabContact) return '⚠️ no lab contact';
  return '✅ pass';
}

function exit(scenario: ScenarioSummary): string {
  if (scenario.spawnError || scenario.fromCapture) return '—';
  if (scenario.timedOut) return 'killed at timeout';
  return scenario.exitCode === null ? 'by signal' : `${scenario.exitCode}`;
}

/** Checks with findings, most severe first, then in `CHECK_IDS` order. */
function groupByCheck(findings: Finding[]): [CheckId, Finding[]][] {
  const groups = new Map<CheckId, Finding[]>();
  for (const finding of findings)
    groups.set(finding.check, [...(groups.get(finding.check) ?? []), finding]);
  return [...groups].sort(
    ([a, [fa]], [b, [fb]]) =>
      severityRank((fb as Finding).severity) - severityRank((fa as Finding).severity) ||
      CHECK_IDS.indexOf(a) - CHECK_IDS.indexOf(b),
  );
}

function evidenceLine(item: EvidenceItem): string {
  const parts = [escapeMarkdown(item.summary)];
  const named = item.location?.type === 'file' ? item.location.path : item.location?.stream;
  if (item.location && named !== undefined && !item.summary.includes(named))
    parts.push(`at ${escapeMarkdown(locationText(item.location))}`);
  if (item.preview && item.fingerprint)
    parts.push(`\`${codeText(item.preview)}\` \`${codeText(item.fingerprint.slice(0, 19))}…\``);
  return parts.join(' ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function list(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
