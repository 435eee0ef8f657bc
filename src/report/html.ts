/**
 * The HTML report: one self-contained file a security reviewer can open offline. Verdict,
 * scenarios, a check × scenario matrix, findings with their evidence, and per scenario a
 * polling timeline drawn as inline SVG. No script, no fetch: a Content-Security-Policy that
 * allows nothing but inline styles (and the empty data: icon) keeps it that way. Every string
 * from the report is escaped; like every reporter, it holds previews and fingerprints only.
 */
import { kindName } from '../checks/format.ts';
import { checks, checksFor } from '../checks/index.ts';
import { CHECK_IDS, type Finding } from '../checks/types.ts';
import type { ScenarioRun } from '../evidence/model.ts';
import { CAPTURE_SCENARIO } from '../evidence/names.ts';
import { isFailing, SEVERITIES, type Severity, severityRank } from '../findings/index.ts';
import { type Content, html, join, Markup, slug } from './html/markup.ts';
import { STYLES } from './html/styles.ts';
import { buildTimeline, relative, type Timeline } from './html/timeline.ts';
import { renderTimelineSvg } from './html/timeline-svg.ts';
import { commandText, noContactReason, type Report, type ScenarioSummary } from './model.ts';
import { locationText } from './text.ts';

export interface HtmlOptions {
  /** Unused: the page has its own colours (light and dark). Kept for the common signature. */
  color: boolean;
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

interface RunView {
  run: ScenarioRun;
  summary: ScenarioSummary | undefined;
  findings: Finding[];
  id: string;
  name: string;
  timeline: Timeline;
}

/** Renders the report as a complete HTML document. */
export function renderHtml(report: Report, _options: HtmlOptions): string {
  const tasks = [...new Set(report.evidence.runs.map((run) => run.task))];
  const multiTask = tasks.length > 1;
  const views = runViews(report, multiTask);
  const verdict = verdictOf(report);

  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${report.tool.name} ${report.tool.version}">
<title>${verdict.word} · ${tasks.join(', ')} · devicebound report</title>
<link rel="icon" href="data:,">
<style>${new Markup(STYLES)}</style>
</head>
<body data-verdict="${verdict.word.toLowerCase()}">
${renderHeader(report, tasks, verdict)}
<main>
${renderScenarios(report, views, multiTask)}
${renderMatrix(views, report.policy.failOn)}
${renderFindings(report, views, multiTask)}
${renderTimelines(views, report.policy.failOn)}
${renderNotes(views)}
</main>
<footer>
<p>Made by ${report.tool.name} ${report.tool.version}. Credentials appear only as redacted previews and <code>sha256:</code> fingerprints of the canary values the lab issued; the run's raw values were never written to this report. Times count from the program's start, in the finding texts as on the timelines.</p>
</footer>
</body>
</html>
`;
  return page.value;
}

// ── Verdict and header ────────────────────────────────────────────────────────────────────────

interface Verdict {
  word: 'PASS' | 'FAIL' | 'INCONCLUSIVE';
  text: string;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function verdictOf(report: Report): Verdict {
  const { summary, policy } = report;
  const failing = report.findings.filter((f) => isFailing(f, policy.failOn));
  const scenarios = report.scenarios.length;
  if (summary.inconclusive)
    return {
      word: 'INCONCLUSIVE',
      text: 'No request reached the lab in any scenario: nothing was really checked. Does the program read DEVICEBOUND_ISSUER?',
    };
  if (summary.passed) {
    const below = summary.findings
      ? `; ${plural(summary.findings, 'finding')} below the ${policy.failOn} threshold`
      : '';
    return {
      word: 'PASS',
      text: `The program stayed inside the device-flow boundary in ${plural(scenarios, 'scenario')}${below}.`,
    };
  }
  const runs = new Set(failing.map((f) => `${f.task}\u0000${f.scenario}`)).size;
  return {
    word: 'FAIL',
    text: `${plural(failing.length, 'finding')} at or above ${policy.failOn} in ${runs} of ${plural(scenarios, 'scenario')}.`,
  };
}

function renderHeader(report: Report, tasks: string[], verdict: Verdict): Markup {
  const { summary, policy } = report;
  const severities = [...SEVERITIES].reverse();
  const taskPolicies = report.evidence.policy.tasks;
  return html`<header class="top">
<p class="tool">${report.tool.name} ${report.tool.version} · OAuth 2.0 device code flow (RFC 8628) boundary check</p>
<h1>${tasks.length === 1 ? tasks[0] : `${tasks.length} tasks`}: device-flow boundary report</h1>
<div class="verdict ${verdict.word.toLowerCase()}" data-verdict="${verdict.word}">
<span class="verdict-word">${verdict.word}</span>
<span class="verdict-text">${verdict.text}</span>
<ul class="severities" aria-label="findings by severity">
${severities.map(
  (s) =>
    html`<li class="${summary.bySeverity[s] ? '' : 'zero'}" data-severity="${s}"><span class="dot sev-${s}"></span>${s} <b>${summary.bySeverity[s]}</b></li>`,
)}
</ul>
</div>
<dl class="meta">
<dt>Run</dt><dd>${formatDate(report.createdAt)}</dd>
<dt>Policy</dt><dd>${policy.source === null ? 'none (command-line flags)' : html`<code>${policy.source}</code>`} · fail on <b>${policy.failOn}</b> and above · client_id <code>${report.evidence.policy.clientId}</code></dd>
${taskPolicies.map(
  (task) =>
    html`<dt>Task ${task.name}</dt><dd><code>${commandText(task)}</code> · scopes allowed: ${
      task.scopes.allow.length
        ? join(
            task.scopes.allow.map((s) => html`<code>${s}</code>`),
            ' ',
          )
        : 'none'
    } · session ${task.session} · refresh ${task.refresh} · storage ${storageText(task.storage)} · timeout ${Math.round(task.timeoutMs / 1000)} s</dd>`,
)}
</dl>
<nav class="toc" aria-label="contents"><a href="#scenarios">Scenarios</a><a href="#checks">Checks</a><a href="#findings">Findings (${report.findings.length})</a><a href="#timelines">Timelines</a></nav>
</header>`;
}

function storageText(storage: unknown): string {
  if (Array.isArray(storage)) return storage.length ? storage.map(String).join(', ') : 'none';
  return String(storage);
}

function formatDate(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

// ── Scenarios ─────────────────────────────────────────────────────────────────────────────────

function runViews(report: Report, multiTask: boolean): RunView[] {
  const used = new Set<string>();
  return report.evidence.runs.map((run) => {
    let id = `${multiTask ? `${slug(run.task)}-` : ''}${slug(run.scenario)}`;
    while (used.has(id)) id += '-x';
    used.add(id);
    const findings = report.findings.filter(
      (f) => f.task === run.task && f.scenario === run.scenario,
    );
    return {
      run,
      summary: report.scenarios.find((s) => s.task === run.task && s.scenario === run.scenario),
      findings,
      id,
      name: multiTask ? `${run.task}/${run.scenario}` : run.scenario,
      timeline: buildTimeline(run, findings),
    };
  });
}

function exitText(summary: ScenarioSummary | undefined): string {
  if (!summary) return '';
  if (summary.spawnError) return `could not start: ${summary.spawnError}`;
  const exit = summary.timedOut
    ? 'killed at timeout'
    : summary.exitCode === null
      ? 'ended by a signal'
      : `exit ${summary.exitCode}`;
  const later = summary.laterSignIns ?? [];
  // The session scenario exists to tell how the later run signed in.
  const session =
    later.length === 1
      ? `; second run: ${later[0]}`
      : later.map((how, i) => `; run ${i + 2}: ${how}`).join('');
  return `${exit}${session}`;
}

interface RunResult {
  /** CSS class and `data-result`: pass, fail or inconclusive. */
  tone: 'pass' | 'fail' | 'inconclusive';
  word: string;
}

function resultOf(view: RunView): RunResult {
  const s = view.summary;
  if (!s) return { tone: 'inconclusive', word: '' };
  if (s.noLabContact) return { tone: 'inconclusive', word: 'no contact' };
  return s.passed ? { tone: 'pass', word: 'pass' } : { tone: 'fail', word: 'fail' };
}

/** The checks that fired in a run: failing ones as links, those below `fail_on` muted. */
function checkLinks(view: RunView, failOn: Severity): Content {
  if (view.findings.length === 0) return html`<span class="below">none</span>`;
  const failing = view.findings.filter((f) => isFailing(f, failOn));
  const below = view.findings.filter((f) => !isFailing(f, failOn));
  const link = (f: Finding) => html`<a href="#finding-${f.check}-${view.id}">${f.check}</a>`;
  return html`${join(failing.map(link), ', ')}${below.length ? html`${failing.length ? ', ' : null}<span class="below">${join(below.map(link), ', ')} (below ${failOn})</span>` : null}`;
}

function labSettings(run: ScenarioRun): string {
  const lab = run.lab;
  const parts = [`interval ${lab.interval} s`, `expires_in ${lab.expiresIn} s`];
  // The lab says how it was set up; a source that only watched the traffic may not.
  const slowDowns = lab.slowDownPolls ?? [];
  if (slowDowns.length) parts.push(`slow_down on poll ${slowDowns.join(', ')}`);
  const faults = Object.entries(lab.faultPolls ?? {});
  if (faults.length)
    parts.push(
      faults
        .map(
          ([poll, fault]) =>
            `${fault === 'drop' ? 'dropped connection' : 'HTTP 503'} on poll ${poll}`,
        )
        .join(', '),
    );
  const afterApproval = lab.afterApprovalFaults ?? [];
  if (afterApproval.length) {
    const names: Record<string, string> = {
      'truncated-token': 'first token answer cut short',
      'resource-error': 'resource 500 (HTML)',
      'resource-unauthorized': 'resource 401 on a good token',
    };
    parts.push(`after approval: ${afterApproval.map((fault) => names[fault] ?? fault).join(', ')}`);
  }
  if (lab.autoDecision) {
    parts.push(
      `${lab.autoDecision.decision === 'approve' ? 'approves' : 'denies'} after ${plural(lab.autoDecision.afterPolls, 'pending poll')}`,
    );
  } else if (lab.autoDecision === null) {
    parts.push('nobody decides');
  }
  if (lab.tokenTtl !== undefined && lab.tokenTtl < 60) parts.push(`tokens live ${lab.tokenTtl} s`);
  return parts.join(' · ');
}

function renderScenarios(report: Report, views: RunView[], multiTask: boolean): Markup {
  return html`<section id="scenarios">
<h2>Scenarios</h2>
<div class="table-wrap">
<table class="scenarios">
<thead><tr><th>Scenario</th>${multiTask ? html`<th>Task</th>` : null}<th>Result</th><th>Program</th><th class="num">Time</th><th class="num">Polls</th><th class="num">Requests</th><th>Findings</th></tr></thead>
<tbody>
${views.map((view) => {
  const s = view.summary;
  const requests = view.timeline.marks.filter((m) => m.request);
  const polls = requests.filter((m) => m.kind === 'poll');
  const early = polls.filter((m) => m.early).length;
  const result = resultOf(view);
  return html`<tr data-scenario="${view.run.scenario}" data-task="${view.run.task}">
<td class="nowrap"><a href="#timeline-${view.id}">${view.run.scenario}</a></td>${multiTask ? html`<td>${view.run.task}</td>` : null}
<td class="result ${result.tone}">${result.word}</td>
<td>${exitText(s)}</td>
<td class="num">${s ? `${(s.durationMs / 1000).toFixed(1)} s` : ''}</td>
<td class="num">${polls.length}${early ? html` <span class="result fail">(${early} early)</span>` : null}</td>
<td class="num">${requests.length}</td>
<td>${checkLinks(view, report.policy.failOn)}</td>
</tr>`;
})}
</tbody>
</table>
</div>
${renderSilentNotice(report)}
</section>`;
}

function renderSilentNotice(report: Report): Content {
  const silent = report.scenarios.filter((s) => s.noLabContact && !s.spawnError);
  if (silent.length === 0) return null;
  return html`<p class="notice">No request reached the lab in ${silent.map((s) => s.scenario).join(', ')}; without requests there is little to judge. ${[...new Set(silent.map((s) => `${s.scenario}: ${noContactReason(s)}`))].join('. ')}.</p>`;
}

// ── Checks × scenarios ────────────────────────────────────────────────────────────────────────

/**
 * One table per task (its scenarios as columns), so the matrix fits the page however many
 * tasks there are: seven scenarios of two tasks side by side were wider than a 1280-pixel
 * screen.
 */
function renderMatrix(views: RunView[], failOn: Severity): Markup {
  const tasks = [...new Set(views.map((view) => view.run.task))];
  // Sessions of a capture (one run each) stay side by side, named in their headers.
  if (tasks.length === views.length) {
    return html`<section id="checks">
<h2>Checks</h2>
${renderMatrixTable(views, failOn, undefined)}
</section>`;
  }
  return html`<section id="checks">
<h2>Checks</h2>
${tasks.map((task) =>
  renderMatrixTable(
    views.filter((view) => view.run.task === task),
    failOn,
    tasks.length > 1 ? task : undefined,
  ),
)}
</section>`;
}

function renderMatrixTable(views: RunView[], failOn: Severity, task: string | undefined): Markup {
  return html`${task === undefined ? null : html`<h3 class="matrix-task">Task ${task}</h3>`}
<div class="table-wrap matrix">
<table>
<thead><tr><th>Check</th>${views.map((v) => html`<th>${task === undefined && v.name !== v.run.scenario ? html`<span class="task">${v.run.task}</span>` : null}<span class="scenario-name">${v.run.scenario}</span></th>`)}</tr></thead>
<tbody>
${CHECK_IDS.map((id) => {
  const meta = checks[id].meta;
  return html`<tr data-check="${id}"><td><b>${id}</b> <span class="badge sev-${meta.severity}">${meta.severity}</span><span class="desc">${meta.description}</span></td>${views.map(
    (view) => {
      if (!checksFor(view.run).includes(id))
        return html`<td class="na" data-result="not-judged" title="${view.run.scenario === CAPTURE_SCENARIO ? 'not decidable from traffic' : 'judges captures only'}">–</td>`;
      const finding = view.findings.find((f) => f.check === id);
      if (finding && isFailing(finding, failOn))
        return html`<td class="hit" data-result="fail"><a href="#finding-${id}-${view.id}" title="${finding.message}">✗</a></td>`;
      if (finding)
        return html`<td class="hit below" data-result="below" title="below fail_on ${failOn}"><a href="#finding-${id}-${view.id}" title="${finding.message} (below fail_on ${failOn})">✗</a></td>`;
      if (view.summary?.noLabContact)
        return html`<td class="na" data-result="no-contact" title="no request reached the lab">?</td>`;
      return html`<td class="ok" data-result="pass" title="passed">✓</td>`;
    },
  )}</tr>`;
})}
</tbody>
</table>
</div>`;
}

// ── Findings ──────────────────────────────────────────────────────────────────────────────────

function renderFindings(report: Report, views: RunView[], multiTask: boolean): Markup {
  // Most severe first; checks of equal severity in their registry order.
  const groups = CHECK_IDS.map((id) => ({
    id,
    findings: report.findings.filter((f) => f.check === id),
  }))
    .filter((g) => g.findings.length > 0)
    .sort(
      (a, b) => severityRank(checks[b.id].meta.severity) - severityRank(checks[a.id].meta.severity),
    );
  const viewOf = (f: Finding) =>
    views.find((v) => v.run.task === f.task && v.run.scenario === f.scenario);
  return html`<section id="findings">
<h2>Findings</h2>
${groups.length === 0 ? html`<p>No check fired in any scenario.</p>` : null}
${groups.map(({ id, findings }) => {
  const meta = checks[id].meta;
  const first = findings[0] as Finding;
  const severity: Severity = first.severity;
  const failing = isFailing(first, report.policy.failOn);
  return html`<section class="check-group" id="check-${id}" data-check="${id}" data-severity="${severity}">
<header>
<h3><span class="badge sev-${severity}">${severity}</span> ${id} <span class="standards">${first.standards.map((s) => html`<span>${s}</span>`)}</span>${failing ? null : html` <span class="below">(below fail_on ${report.policy.failOn})</span>`}</h3>
<p>${meta.description}. ${plural(findings.length, 'scenario')}.</p>
</header>
${findings.map((finding) => {
  const view = viewOf(finding);
  const anchor = view ? `finding-${id}-${view.id}` : undefined;
  return html`<article class="finding" ${anchor ? html`id="${anchor}"` : null} data-scenario="${finding.scenario}" data-task="${finding.task}">
<h4>${finding.scenario}${multiTask ? ` (${finding.task})` : null}${view ? html`<a href="#timeline-${view.id}">timeline ↓</a>` : null}</h4>
<p class="message">${finding.message}</p>
${renderEvidence(finding, view?.timeline.origin)}
</article>`;
})}
<p class="fix"><strong>Fix:</strong> ${first.fix}</p>
</section>`;
})}
</section>`;
}

/** Evidence lists stay readable; the JSON report has every item. */
const MAX_EVIDENCE = 25;

function renderEvidence(finding: Finding, origin: number | undefined): Content {
  if (finding.evidence.length === 0) return null;
  const shown = finding.evidence.slice(0, MAX_EVIDENCE);
  return html`<ul class="evidence">
${shown.map((item) => {
  // Said once: where the summary already names the place or the kind, it is not repeated.
  const place = item.location;
  const location =
    place &&
    !(place.type === 'file' && item.summary.includes(place.path)) &&
    !(place.type === 'stream' && item.summary.includes(`${place.stream}, line ${place.line}`))
      ? html` at <code>${locationText(place)}</code>`
      : null;
  const kind =
    item.kind && !item.summary.includes(kindName(item.kind)) ? kindName(item.kind) : null;
  const secret =
    item.preview || item.fingerprint
      ? html` <span class="secret-ref">${kind ? `${kind} ` : null}${item.preview ? html`<code class="preview" title="redacted preview">${item.preview}</code>` : null}${item.fingerprint ? html` <code class="fingerprint" title="${item.fingerprint}">${item.fingerprint.slice(0, 19)}…</code>` : null}</span>`
      : null;
  const at =
    item.at !== undefined && origin !== undefined
      ? html` <span class="at" title="lab time ${(item.at / 1000).toFixed(1)} s">(${relative(item.at, origin)} on the timeline)</span>`
      : null;
  return html`<li>${item.summary}${location}${secret}${at}</li>`;
})}
${finding.evidence.length > shown.length ? html`<li class="below">… and ${finding.evidence.length - shown.length} more (see the JSON report)</li>` : null}
</ul>`;
}

// ── Timelines ─────────────────────────────────────────────────────────────────────────────────

function renderTimelines(views: RunView[], failOn: Severity): Markup {
  return html`<section id="timelines">
<h2>Polling timelines</h2>
${renderLegend()}
${views.map((view) => renderScenarioTimeline(view, failOn))}
</section>`;
}

function renderScenarioTimeline(view: RunView, failOn: Severity): Markup {
  const { run, timeline } = view;
  const result = resultOf(view);
  const s = view.summary;
  const polls = timeline.marks.filter((m) => m.kind === 'poll');
  const early = polls.filter((m) => m.early).length;
  const firstStart = [...run.invocations].sort((a, b) => a.startedAt - b.startedAt)[0];
  let body: Content;
  if (s?.spawnError) {
    body = html`<p class="notice">The program could not be started: ${s.spawnError}</p>`;
  } else {
    const title = `${view.name}: ${plural(polls.length, 'token poll')}, ${early} early; ${plural(timeline.marks.length - polls.length, 'other mark')}`;
    body = html`<figure class="timeline-figure">
${renderTimelineSvg(timeline, { id: `tl-${view.id}`, title, name: view.name })}
<figcaption>0 s is ${firstStart ? 'when the program started' : 'the first request'} (lab time ${(timeline.origin / 1000).toFixed(1)} s). ${plural(polls.length, 'token poll')}${early ? html`, <b class="result fail">${early} early</b>` : ', none early'}. Hover a mark for the request and the lab's answer.${timeline.offChart.map((text) => html`<span class="off-chart">${capitalize(text)}.</span>`)}${s?.noLabContact ? html`<span class="off-chart">No request reached the lab.</span>` : null}</figcaption>
</figure>`;
  }
  const egress = s?.egress ?? [];
  return html`<section class="scenario" id="timeline-${view.id}" data-scenario="${run.scenario}" data-task="${run.task}">
<header><h3>${view.name}</h3><span class="result ${result.tone}">${result.word}${view.findings.length ? ':' : null}</span>${view.findings.length ? html`<span>${checkLinks(view, failOn)}</span>` : null}<span class="settings">${exitText(s)} · ${labSettings(run)}</span></header>
${body}${
  egress.length > 0
    ? html`<p class="egress">Destinations outside the played hosts (intercepted or refused; nothing is forwarded): ${egress.map(
        (d, i) =>
          html`${i > 0 ? ', ' : null}<code>${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}</code>${d.attempts > 1 ? ` ×${d.attempts}` : null}`,
      )}</p>`
    : null
}
</section>`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One legend for every timeline, drawn with the same classes as the marks. */
function renderLegend(): Markup {
  const dot = (cls: string, extra: Content = null) =>
    html`<svg viewBox="0 0 26 18" aria-hidden="true">${extra}<circle class="shape ${cls}" cx="13" cy="9" r="6"/></svg>`;
  const item = (icon: Markup, text: string) => html`<li>${icon}<span>${text}</span></li>`;
  return html`<ul class="legend" aria-label="legend">
${item(dot('tone-pending'), 'poll: authorization_pending')}
${item(dot('tone-slow-down'), 'slow_down')}
${item(dot('tone-success'), 'success')}
${item(dot('tone-error'), 'denied / expired / other error')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><defs><pattern id="legend-hatch" patternUnits="userSpaceOnUse" width="4" height="4" patternTransform="rotate(45)"><rect class="hatch-bg" width="4" height="4"/><line class="hatch-line" x1="0" y1="0" x2="0" y2="4"/></pattern></defs><circle class="shape tone-fault" fill="url(#legend-hatch)" cx="13" cy="9" r="6"/></svg>`, 'injected fault (HTTP 503, dropped)')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><g class="mark early"><circle class="early-ring" cx="13" cy="9" r="8"/><circle class="shape tone-pending" cx="13" cy="9" r="5.5"/></g></svg>`, 'early poll (gap bracketed)')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><circle class="flag-ring" cx="13" cy="9" r="8"/><circle class="shape tone-error" cx="13" cy="9" r="5"/></svg>`, 'request a finding names (late, auto-restart, …)')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><g class="band"><rect x="3" y="2" width="20" height="14"/><line x1="23" x2="23" y1="2" y2="16"/></g></svg>`, 'interval in force after a poll')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><path class="shape tone-success" d="M13 1L21 9L13 17L5 9Z"/></svg>`, 'device authorization')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><rect class="shape tone-success" x="7.5" y="3.5" width="11" height="11"/></svg>`, 'resource (/whoami)')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><path class="shape tone-success" d="M13 2L20 15L6 15Z"/></svg>`, 'refresh_token grant')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><path class="cross tone-success" d="M8 4L18 14M18 4L8 14"/></svg>`, 'revocation')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><circle class="leak" cx="13" cy="9" r="7"/><text class="leak-text" x="13" y="13" text-anchor="middle" font-size="11">!</text></svg>`, 'credential on stdout/stderr (a finding)')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><circle class="shape tone-pending" cx="13" cy="9" r="4.5"/></svg>`, 'user code on the prompt (expected)')}
${item(html`<svg viewBox="0 0 26 18" aria-hidden="true"><rect class="run" x="2" y="3" width="12" height="12" rx="2"/><rect class="grace" x="14" y="3" width="10" height="12" fill="url(#legend-grace)"/><defs><pattern id="legend-grace" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect class="grace-bg" width="6" height="6"/><line class="grace-line" x1="0" y1="0" x2="0" y2="6"/></pattern></defs></svg>`, 'program running, then grace period')}
</ul>`;
}

// ── Notes ─────────────────────────────────────────────────────────────────────────────────────

function renderNotes(views: RunView[]): Content {
  const notes = views.flatMap((view) =>
    [...new Set(view.run.notes)].map((note) => ({ name: view.name, note })),
  );
  if (notes.length === 0) return null;
  return html`<section id="notes">
<h2>Harness notes</h2>
<ul class="notes">${notes.map(({ name, note }) => html`<li><b>${name}</b>: ${note}</li>`)}</ul>
</section>`;
}
