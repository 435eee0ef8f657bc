// The HTML reporter on fixed reports: saved evidence of real runs (test/fixtures/report/html-*.json,
// see the note below), judged again and rendered. Structure, counts that must match the
// checks' own reading of the trace, escaping of hostile strings, and no raw secret from a real
// leaking program.
//
// html-bad-poll-interval.json: `devicebound check --interval 1 --save-evidence … -- node
// test/fixtures/clis/bad-poll-interval.mjs` (all six scenarios). html-mixed.json: one run each of
// bad-background-poller (approve), bad-auto-restart (expire), bad-error-backoff (server-error),
// bad-secret-in-output (approve), bad-silent-refresh (session) and hang (expire, --timeout 6s),
// their runs and tasks merged into one evidence file. In both, the repository path is `/repo`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goldenReport, reportFrom } from '../../test/fixtures/report/report.ts';
import { checksFor } from '../checks/index.ts';
import { earlyGaps, isDevicePoll, requestsOf } from '../checks/timeline.ts';
import { CHECK_IDS } from '../checks/types.ts';
import { parseEvidence } from '../evidence/load.ts';
import type { Evidence } from '../evidence/model.ts';
import { GAP_OWNERS } from './html/timeline.ts';
import { CONTENT_SECURITY_POLICY, renderHtml } from './html.ts';
import { buildReport, type Report } from './model.ts';

function evidence(name: string): Evidence {
  const file = fileURLToPath(new URL(`../../test/fixtures/report/${name}`, import.meta.url));
  return parseEvidence(readFileSync(file, 'utf8'), file);
}

const pollInterval = reportFrom(evidence('html-bad-poll-interval.json'));
const mixed = reportFrom(evidence('html-mixed.json'));

/** The opening tags of elements carrying `attribute`, in document order. */
function tagsWith(page: string, attribute: string): string[] {
  return [...page.matchAll(new RegExp(`<[a-z]+[^>]*\\s${attribute}[=\\s>][^>]*>`, 'g'))].map(
    (m) => m[0],
  );
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** One SVG timeline per run, by its `data-timeline` name. */
function timelines(page: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of page.matchAll(
    /<svg class="timeline"[^>]*data-timeline="([^"]*)"[\s\S]*?<\/svg>/g,
  ))
    out.set(match[1] ?? '', match[0]);
  return out;
}

function count(page: string, pattern: RegExp): number {
  return [...page.matchAll(pattern)].length;
}

describe('renderHtml: a self-contained document', () => {
  const page = renderHtml(pollInterval, { color: false });

  it('is one HTML document with a CSP that allows nothing but inline styles', () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replaceAll("'", '&#39;')}">`,
    );
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    expect(count(page, /<style>/g)).toBe(1);
  });

  it('fetches nothing: no script, no external reference, every url(#…) and #link is on the page', () => {
    expect(page).not.toMatch(/<script|<iframe|<object|<embed|<img|<link rel="stylesheet"/i);
    expect(page).not.toMatch(/\s(src|srcset|action|formaction)=/i);
    expect(page).not.toMatch(/url\((?!#)/);
    expect(page).not.toMatch(/@import|@font-face/);
    const hrefs = [...page.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(hrefs.filter((href) => !href.startsWith('#') && href !== 'data:,')).toEqual([]);
    const ids = new Set([...page.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]));
    const references = [
      ...hrefs.filter((href) => href.startsWith('#')).map((href) => href.slice(1)),
      ...[...page.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1] ?? ''),
    ];
    expect(references.length).toBeGreaterThan(20);
    expect(references.filter((id) => !ids.has(id))).toEqual([]);
    // Ids are unique (patterns of one timeline must not paint another).
    const all = [...page.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
    expect(all.length).toBe(new Set(all).size);
  });

  it('opens with the verdict, the tool version, the date, the policy and the counts by severity', () => {
    expect(page).toContain('<body data-verdict="fail">');
    expect(page).toMatch(
      /<span class="verdict-word">FAIL<\/span>\n<span class="verdict-text">6 findings at or above low in 6 of 6 scenarios\.<\/span>/,
    );
    expect(page).toContain(`devicebound ${pollInterval.tool.version}`);
    expect(page).toContain(`${pollInterval.createdAt.slice(0, 10)} `);
    expect(page).toContain('none (command-line flags) · fail on <b>low</b> and above');
    const severities = tagsWith(page, 'data-severity').filter((t) => t.startsWith('<li'));
    expect(severities.map((t) => attr(t, 'data-severity'))).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      'info',
    ]);
    expect(page).toContain(
      '<li class="" data-severity="medium"><span class="dot sev-medium"></span>medium <b>6</b></li>',
    );
  });

  it('has a row per scenario, a check × scenario matrix and one group per check that fired', () => {
    expect(tagsWith(page, 'data-scenario').filter((t) => t.startsWith('<tr')).length).toBe(6);
    const cells = tagsWith(page, 'data-result');
    expect(cells.length).toBe(CHECK_IDS.length * 6);
    expect(cells.filter((t) => attr(t, 'data-result') === 'fail').length).toBe(6);
    const groups = tagsWith(page, 'data-check').filter((t) => t.startsWith('<section'));
    expect(groups.map((t) => attr(t, 'id'))).toEqual(['check-poll-interval']);
    expect(count(page, /<article class="finding"/g)).toBe(pollInterval.findings.length);
    for (const finding of pollInterval.findings) {
      expect(page).toContain(`id="finding-poll-interval-${finding.scenario}"`);
      for (const item of finding.evidence) expect(page).toContain(item.summary);
    }
    expect(page).toContain(
      `<strong>Fix:</strong> ${pollInterval.findings[0]?.fix.replaceAll('`', '`')}`,
    );
    expect(page).toContain('<span>RFC 8628 §3.2</span><span>RFC 8628 §3.5</span>');
  });
});

describe('renderHtml: timelines agree with the checks', () => {
  for (const [name, report] of [
    ['bad-poll-interval', pollInterval],
    ['mixed', mixed],
    // The reporters' shared golden run: two tasks, fail_on high, a session across tasks.
    ['golden', goldenReport()],
  ] as const) {
    it(`${name}: a timeline per run, a poll mark per token poll, an early mark per early gap`, () => {
      const page = renderHtml(report, { color: false });
      const svgs = timelines(page);
      expect(svgs.size).toBe(report.evidence.runs.length);
      const multi = new Set(report.evidence.runs.map((r) => r.task)).size > 1;
      for (const run of report.evidence.runs) {
        const svg = svgs.get(multi ? `${run.task}/${run.scenario}` : run.scenario) ?? '';
        const requests = requestsOf(run);
        const marks = tagsWith(svg, 'data-mark');
        expect(marks.filter((t) => attr(t, 'data-mark') === 'poll').length).toBe(
          requests.filter(isDevicePoll).length,
        );
        const early = GAP_OWNERS.flatMap((owner) => earlyGaps(run, owner));
        expect(marks.filter((t) => attr(t, 'data-early') === 'true').length).toBe(early.length);
        expect(count(svg, /<g class="gap" /g)).toBe(early.length);
        const requestMarks = marks.filter(
          (t) => !['leak', 'output'].includes(attr(t, 'data-mark') ?? ''),
        );
        expect(requestMarks.length).toBe(requests.length);
        const decisions = run.events.filter((e) => e.type === 'decision').length;
        const eventKinds = tagsWith(svg, 'data-event').map((t) => attr(t, 'data-event'));
        expect(eventKinds.filter((k) => k === 'approved' || k === 'denied').length).toBe(decisions);
        expect(eventKinds.filter((k) => k === 'exit').length).toBe(run.invocations.length);
      }
    });
  }

  it('draws the structure a reviewer reads (outline of every timeline)', () => {
    const outline = [...timelines(renderHtml(pollInterval, { color: false }))].map(
      ([name, svg]) => {
        const marks = tagsWith(svg, 'data-mark');
        const kinds = marks.map(
          (t) =>
            `${attr(t, 'data-mark')}${attr(t, 'data-poll') ?? ''}:${attr(t, 'data-tone')}${attr(t, 'data-early') === 'true' ? '!' : ''}`,
        );
        const events = tagsWith(svg, 'data-event').map((t) => attr(t, 'data-event'));
        const lanes = tagsWith(svg, 'data-lane')
          .filter((t) => t.startsWith('<g class="lane'))
          .map((t) => attr(t, 'data-lane'));
        return `${name} | ${lanes.join(' ')} | ${kinds.join(' ')} | ${events.join(' ')} | bands ${count(svg, /data-band=/g)}`;
      },
    );
    expect(outline).toEqual([
      'approve | program code-1 other output | other:success device-authorization:success output:pending poll1:pending poll2:slow-down! poll3:success resource:success | approved exit grace-end | bands 2',
      'deny | program code-1 other output | other:success device-authorization:success output:pending poll1:pending poll2:slow-down! poll3:error | denied exit grace-end | bands 2',
      'expire | program code-1 other output | other:success device-authorization:success output:pending poll1:pending poll2:slow-down! | exit grace-end expiry | bands 2',
      'slow-down | program code-1 other output | other:success device-authorization:success output:pending poll1:pending poll2:slow-down! poll3:pending poll4:success resource:success | approved exit grace-end | bands 3',
      'server-error | program code-1 other output | other:success device-authorization:success output:pending poll1:pending poll2:fault! poll3:fault poll4:pending poll5:success! resource:success | approved exit grace-end | bands 4',
      'session | program code-1 code-2 other output | other:success device-authorization:success output:pending poll1:pending poll2:success! resource:success other:success device-authorization:success output:pending poll1:pending poll2:success! resource:success | approved exit grace-end approved exit grace-end | bands 2',
    ]);
  });
});

describe('renderHtml: verdicts and runs with little to draw', () => {
  it('PASS when nothing fired; INCONCLUSIVE when no request reached the lab', () => {
    const clean = renderHtml(
      buildReport(mixed.evidence, [], { source: undefined, failOn: 'low' }),
      { color: false },
    );
    expect(clean).toContain('<body data-verdict="pass">');
    expect(clean).toContain('No check fired in any scenario.');
    expect(clean).not.toContain('data-result="fail"');

    const silent = structuredClone(mixed.evidence);
    for (const run of silent.runs) run.events = run.events.filter((e) => e.type !== 'request');
    const page = renderHtml(buildReport(silent, [], { source: undefined, failOn: 'low' }), {
      color: false,
    });
    expect(page).toContain('<body data-verdict="inconclusive">');
    expect(page).toContain('No request reached the lab in any scenario');
    expect(count(page, /data-result="no-contact"/g)).toBe(
      silent.runs.reduce((sum, run) => sum + checksFor(run).length, 0),
    );
    // The program's runs are still drawn, with no request marks.
    expect(count(page, /<svg class="timeline"/g)).toBe(silent.runs.length);
    expect(count(page, /data-mark="(poll|other|resource|device-authorization)"/g)).toBe(0);
  });

  it('says so instead of drawing when the program could not be started', () => {
    const evidence = structuredClone(mixed.evidence);
    const run = evidence.runs[0];
    const invocation = run?.invocations[0];
    if (!run || !invocation) throw new Error('fixture changed');
    run.events = run.events.filter((e) => e.type === 'lab-start');
    run.invocations = [{ ...invocation, spawnError: 'command not found: <nope>', hits: [] }];
    const page = renderHtml(buildReport(evidence, [], { source: undefined, failOn: 'low' }), {
      color: false,
    });
    expect(page).toContain('The program could not be started: command not found: &lt;nope&gt;');
    expect(count(page, /<svg class="timeline"/g)).toBe(evidence.runs.length - 1);
  });
});

describe('renderHtml: hostile strings', () => {
  it('escapes task names, messages, paths and previews, and shows invisible characters', () => {
    const report: Report = structuredClone(mixed);
    const hostile = '<img src=x onerror=alert(1)>"\'&';
    const run = report.evidence.runs[0];
    const finding = report.findings[0];
    if (!run || !finding) throw new Error('fixture changed');
    const task = `${run.task}${hostile}`;
    for (const f of report.findings) if (f.task === run.task) f.task = task;
    for (const s of report.scenarios) if (s.task === run.task) s.task = task;
    run.task = task;
    finding.message = `</style><script>alert(1)</script> \u202Egnp.exe`;
    finding.evidence.push({
      summary: 'token in a file',
      preview: '<b>eyJh…(12 chars)…x</b>',
      location: {
        type: 'file',
        root: 'HOME',
        path: `.config/"><svg onload=alert(1)>/t\u200Bok\nen`,
        mode: 0o644,
        size: 1,
      },
    });
    run.notes.push('<iframe src=//evil>');
    const page = renderHtml(report, { color: false });
    expect(page).not.toMatch(/<(script|img|iframe)/i);
    expect(page).not.toContain('<svg onload');
    expect(page).not.toContain('<b>eyJh');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(page).toContain('&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt; \\u{202E}gnp.exe');
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;/t\\u{200B}ok\\u{A}en');
    expect(page).not.toMatch(/[\u200B\u202E]/);
    // Still one style element, closed where the page closes it.
    expect(count(page, /<\/style>/g)).toBe(1);
  });
});

// That no raw secret reaches the page is proven with every other format in no-secrets.test.ts.

describe('the task line', () => {
  const withTask = (task: Partial<Evidence['policy']['tasks'][number]>) => {
    const saved = evidence('html-bad-poll-interval.json');
    const [first] = saved.policy.tasks;
    if (!first) throw new Error('no task');
    saved.policy.tasks = [{ ...first, ...task }];
    return renderHtml(reportFrom(saved), { color: false });
  };

  it('shows the interpreter by name and paths under the working directory relative to it', () => {
    const page = withTask({
      run: ['/home/me/.nvm/versions/node/v24.1.0/bin/node', '/home/me/cli/bin/login.mjs', '--web'],
      cwd: '/home/me/cli',
    });
    expect(page).toContain('<code>node bin/login.mjs --web</code>');
    expect(page).not.toContain('/home/me/');
  });

  it('shows what the task says it shows (demo: node and the sample in the package)', () => {
    const page = withTask({
      run: ['/opt/node/bin/node', '/opt/lib/node_modules/devicebound/samples/leaky-cli.mjs'],
      shown: ['node', 'devicebound/samples/leaky-cli.mjs'],
      cwd: '/tmp/empty',
    });
    expect(page).toContain('<code>node devicebound/samples/leaky-cli.mjs</code>');
    expect(page).not.toContain('/opt/');
  });
});
