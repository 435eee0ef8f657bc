import type { Finding } from '../checks/types.ts';
import type { HitLocation } from '../evidence/model.ts';
import { isFailing } from '../findings/index.ts';
import { painter, type RenderOptions, SEVERITY_STYLE, terminalText } from './kit/index.ts';
import { noContactReason, type Report, type ScenarioSummary } from './model.ts';

/**
 * The terminal report: a one-line verdict, one line per scenario, findings grouped by check.
 * What the program under test chose (file names, output it quoted) is shown, never obeyed.
 */
export function renderText(report: Report, options: RenderOptions): string {
  const paint = painter(options.color);
  const lines: string[] = [];
  const { summary, policy } = report;
  const failing = report.findings.filter((f) => isFailing(f, policy.failOn));

  const tasks = [...new Set(report.scenarios.map((s) => s.task))];
  lines.push(
    summary.inconclusive
      ? paint('yellow', paint('bold', 'INCONCLUSIVE  no request reached the lab in any scenario'))
      : summary.passed
        ? paint(
            'green',
            paint('bold', `PASS  ${tasks.join(', ')} stayed inside the device-flow boundary`),
          ) +
          ` (${report.scenarios.length} scenario${report.scenarios.length === 1 ? '' : 's'}${summary.findings ? `, ${summary.findings} finding${summary.findings === 1 ? '' : 's'} below ${policy.failOn}` : ''})`
        : paint(
            'red',
            paint(
              'bold',
              `FAIL  ${failing.length} finding${failing.length === 1 ? '' : 's'} at or above ${policy.failOn}`,
            ),
          ) +
          ` in ${new Set(failing.map((f) => `${f.task}/${f.scenario}`)).size} of ${report.scenarios.length} scenarios`,
  );
  lines.push('');

  const width = Math.max(
    ...report.scenarios.map((s) => s.scenario.length + (tasks.length > 1 ? s.task.length + 1 : 0)),
  );
  for (const scenario of report.scenarios) {
    const name = (
      tasks.length > 1 ? `${scenario.task}/${scenario.scenario}` : scenario.scenario
    ).padEnd(width);
    const mark = scenario.passed ? paint('green', '✓') : paint('red', '✗');
    const exit = scenario.spawnError
      ? terminalText(scenario.spawnError)
      : scenario.timedOut
        ? 'killed at timeout'
        : `exit ${scenario.exitCode ?? 'by signal'}`;
    const checks = [
      ...new Set(
        report.findings
          .filter((f) => f.task === scenario.task && f.scenario === scenario.scenario)
          .map((f) => f.check),
      ),
    ];
    const session = scenario.laterSignIns
      ? paint('dim', ` (second run: ${scenario.laterSignIns.join(', ')})`)
      : '';
    const how = scenario.fromCapture
      ? `from a capture, ${scenario.fromCapture.requests} requests`
      : `${exit}, ${(scenario.durationMs / 1000).toFixed(1)} s`;
    lines.push(
      `  ${mark} ${name}  ${paint('dim', how)}  ${checks.length ? checks.join(', ') : paint('dim', 'no findings')}${session}`,
    );
  }

  const presets = report.evidence.policy.tasks.filter((task) => task.requestedScopes);
  for (const task of presets) {
    lines.push('');
    lines.push(
      `  ${paint('bold', task.name)} ${paint('dim', `(preset ${task.preset}${task.dialect ? `, ${task.dialect} dialect` : ''})`)}: asks for ${task.requestedScopes?.join(' ')}; the policy allows ${task.scopes.allow.join(' ')}`,
    );
  }

  const tried = report.scenarios.filter((scenario) => scenario.egress);
  if (tried.length > 0) {
    lines.push('');
    lines.push(
      paint(
        'dim',
        'destinations outside the played hosts (intercepted or refused by the egress proxy; nothing is forwarded):',
      ),
    );
    for (const scenario of tried) {
      const name = tasks.length > 1 ? `${scenario.task}/${scenario.scenario}` : scenario.scenario;
      const list = (scenario.egress ?? []).map(
        (d) =>
          `${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}${d.attempts > 1 ? ` (×${d.attempts})` : ''}`,
      );
      lines.push(`  ${name}: ${terminalText(list.join(', '))}`);
    }
  }

  const silent = report.scenarios.filter(
    (scenario) => scenario.noLabContact && !scenario.spawnError,
  );
  if (silent.length > 0) {
    lines.push('');
    lines.push(
      paint(
        'yellow',
        `! no request reached the lab in ${silent.map((s) => s.scenario).join(', ')}:`,
      ) +
        (silent.some((s) => s.said !== undefined && !s.timedOut)
          ? ' it failed first, in its own words below.'
          : ` ${noContactReason(silent[0] as ScenarioSummary)}${silent[0]?.timedOut ? '.' : ' Without requests there is little to judge.'}`),
    );
    // The program's own words, once per distinct message.
    const said = [...new Set(silent.flatMap((s) => (s.said === undefined ? [] : [s.said])))];
    for (const words of said.slice(0, 3)) {
      const where = silent.filter((s) => s.said === words).map((s) => s.scenario);
      lines.push(`  the program said (${where.join(', ')}):`);
      for (const line of words.split('\n')) lines.push(`    ${terminalText(line)}`);
    }
  }

  lines.push(...findingLines(report, options));
  lines.push('');
  return `${lines.join('\n')}\n`;
}

/**
 * The findings, grouped by check, each with its evidence and fix, then the harness's notes:
 * the part of the text report the demo shows for one sample.
 */
export function renderFindingsText(report: Report, options: RenderOptions): string {
  return `${findingLines(report, options).join('\n').replace(/^\n+/, '')}\n`;
}

function findingLines(report: Report, options: RenderOptions): string[] {
  const paint = painter(options.color);
  const tasks = new Set(report.scenarios.map((s) => s.task));
  const lines: string[] = [];
  const byCheck = new Map<string, Finding[]>();
  for (const finding of report.findings)
    byCheck.set(finding.check, [...(byCheck.get(finding.check) ?? []), finding]);
  for (const [check, findings] of byCheck) {
    const first = findings[0] as Finding;
    lines.push('');
    lines.push(
      `${paint(SEVERITY_STYLE[first.severity], paint('bold', `● ${check}`))} ${paint(SEVERITY_STYLE[first.severity], `(${first.severity})`)}  ${paint('dim', first.standards.join(' · '))}`,
    );
    // The same message in several scenarios is said once, naming them all.
    const byMessage = new Map<string, Finding[]>();
    for (const finding of findings) {
      const key = `${finding.task}\u0000${finding.message}`;
      byMessage.set(key, [...(byMessage.get(key) ?? []), finding]);
    }
    for (const group of byMessage.values()) {
      const finding = group[0] as Finding;
      const where = group.map((f) => f.scenario).join(', ');
      lines.push(
        `  ${paint('bold', where)}${tasks.size > 1 ? ` (${finding.task})` : ''}: ${terminalText(finding.message)}`,
      );
      const shown = finding.evidence.slice(0, 5);
      for (const item of shown) lines.push(`    ${paint('dim', '-')} ${evidenceLine(item)}`);
      if (finding.evidence.length > shown.length) {
        lines.push(paint('dim', `    … and ${finding.evidence.length - shown.length} more`));
      }
    }
    lines.push(`  ${paint('cyan', 'fix:')} ${first.fix}`);
  }
  const notes = report.evidence.runs.flatMap((run) =>
    [...new Set(run.notes)].map((note) => `${run.scenario}: ${terminalText(note)}`),
  );
  if (notes.length > 0) {
    lines.push('');
    lines.push(paint('dim', `notes (${notes.length}):`));
    for (const note of notes.slice(0, 10)) lines.push(paint('dim', `  ${note}`));
    if (notes.length > 10)
      lines.push(paint('dim', `  … and ${notes.length - 10} more (see --format json)`));
  }

  return lines;
}

function evidenceLine(item: Finding['evidence'][number]): string {
  const parts = [item.summary];
  // Checks usually name the place in the summary already; add it only when they did not.
  const named =
    item.location?.type === 'file'
      ? item.summary.includes(item.location.path)
      : item.location !== undefined && item.summary.includes(`line ${item.location.line}`);
  if (item.location && !named) parts.push(`at ${locationText(item.location)}`);
  if (item.preview && item.fingerprint)
    parts.push(`[${item.preview} ${item.fingerprint.slice(0, 19)}…]`);
  return terminalText(parts.join(' '));
}

export function locationText(location: HitLocation): string {
  if (location.type === 'stream') return `${location.stream} line ${location.line}`;
  const root = location.root === 'HOME' ? '~' : location.root === 'cwd' ? '.' : `$${location.root}`;
  return `${root}/${location.path} (mode ${(location.mode & 0o777).toString(8).padStart(3, '0')})`;
}
