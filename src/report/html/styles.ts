/**
 * The HTML report's only stylesheet, inlined. Light and dark through `prefers-color-scheme`,
 * light on paper; the timeline SVGs take their colours from the same variables.
 */
export const STYLES = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --lane: #ffffff; --lane-odd: #f6f8fa; --grid: #e6eaef;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700;
  --pending: #8c959f; --slow: #d4a017; --success: #1a7f37; --error: #82071e;
  --fault: #1f2328; --fault-bg: #ffffff; --early: #e5132a; --late: #82071e;
  --band: rgba(9, 105, 218, 0.12); --band-edge: rgba(9, 105, 218, 0.55);
  --run: #afb8c1; --run-fg: #1f2328; --grace: #d1d9e0; --grace-bg: #f6f8fa;
  --expiry: #8250df; --link: #0969da;
  --sev-critical: #82071e; --sev-high: #cf222e; --sev-medium: #bc4c00; --sev-low: #0969da; --sev-info: #59636e;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23;
    --lane: #0d1117; --lane-odd: #151b23; --grid: #262c36;
    --pass: #3fb950; --fail: #f85149; --warn: #d29922;
    --pending: #8b949e; --slow: #e3b341; --success: #3fb950; --error: #c9302c;
    --fault: #e6edf3; --fault-bg: #0d1117; --early: #ff5c6c; --late: #f0a0a0;
    --band: rgba(56, 139, 253, 0.18); --band-edge: rgba(88, 166, 255, 0.7);
    --run: #545d68; --run-fg: #e6edf3; --grace: #3d444d; --grace-bg: #151b23;
    --expiry: #ab7df8; --link: #4493f8;
    --sev-critical: #ff7b72; --sev-high: #f85149; --sev-medium: #db6d28; --sev-low: #4493f8; --sev-info: #9198a1;
  }
}
@media print {
  :root {
    color-scheme: light;
    --bg: #ffffff; --fg: #000000; --muted: #444c56; --line: #bbbbbb; --panel: #f4f4f4;
    --lane: #ffffff; --lane-odd: #f4f4f4; --grid: #e0e0e0;
    --pending: #8c959f; --slow: #c69000; --success: #1a7f37; --error: #82071e;
    --fault: #000000; --fault-bg: #ffffff; --early: #e5132a; --late: #82071e;
    --band: rgba(9, 105, 218, 0.12); --band-edge: rgba(9, 105, 218, 0.55);
    --run: #afb8c1; --run-fg: #000000; --grace: #cccccc; --grace-bg: #f4f4f4;
    --expiry: #8250df; --link: #000000; --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700;
    --sev-critical: #82071e; --sev-high: #cf222e; --sev-medium: #bc4c00; --sev-low: #0969da; --sev-info: #59636e;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body {
  margin: 0; line-height: 1.45; font-size: 15px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.86em; }
code { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; overflow-wrap: anywhere; }
a { color: var(--link); }
header.top, main { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
header.top { padding-top: 24px; }
.tool { color: var(--muted); font-size: 0.9em; margin: 0; }
h1 { font-size: 1.5em; margin: 4px 0 14px; }
h2 { font-size: 1.2em; margin: 34px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 0; }
.verdict {
  display: flex; flex-wrap: wrap; align-items: center; gap: 10px 16px;
  border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px;
  padding: 12px 16px; background: var(--panel);
}
.verdict.pass { border-left-color: var(--pass); }
.verdict.fail { border-left-color: var(--fail); }
.verdict.inconclusive { border-left-color: var(--warn); }
.verdict-word { font-weight: 800; font-size: 1.35em; letter-spacing: 0.04em; }
.pass .verdict-word, .result.pass { color: var(--pass); }
.fail .verdict-word, .result.fail { color: var(--fail); }
.inconclusive .verdict-word, .result.inconclusive { color: var(--warn); }
.verdict-text { flex: 1 1 320px; }
.severities { display: flex; flex-wrap: wrap; gap: 6px; margin: 0; padding: 0; list-style: none; }
.severities li { border: 1px solid var(--line); border-radius: 999px; padding: 1px 10px; font-size: 0.86em; background: var(--bg); }
.severities li.zero { color: var(--muted); opacity: 0.75; }
.severities b { font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 14px 0 0; font-size: 0.92em; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
nav.toc { margin: 16px 0 0; font-size: 0.92em; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.badge {
  display: inline-block; border-radius: 4px; padding: 0 7px; font-size: 0.8em; font-weight: 700;
  text-transform: uppercase; letter-spacing: 0.03em; color: #fff; background: var(--muted); vertical-align: 1px;
}
.sev-critical { background: var(--sev-critical); } .sev-high { background: var(--sev-high); }
.sev-medium { background: var(--sev-medium); } .sev-low { background: var(--sev-low); }
.sev-info { background: var(--sev-info); }
@media (prefers-color-scheme: dark) { .badge { color: #0d1117; } }
@media print { .badge { color: #fff; } }
.severities .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; vertical-align: 1px; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
.result { font-weight: 700; }
.table-wrap { overflow-x: auto; }
.matrix-task { margin: 16px 0 6px; }
.matrix td, .matrix th { text-align: center; white-space: nowrap; }
.matrix th { white-space: normal; font-size: 0.9em; }
.matrix th .scenario-name { white-space: nowrap; }
.matrix th .task { display: block; font-weight: 400; font-size: 0.88em; }
.matrix td:first-child, .matrix th:first-child { text-align: left; }
.matrix td.hit a { color: var(--fail); font-weight: 700; text-decoration: none; }
.matrix td.hit.below a { color: var(--muted); font-weight: 400; }
.matrix td.ok { color: var(--pass); }
.matrix td.na { color: var(--muted); }
.matrix .desc { color: var(--muted); font-size: 0.86em; display: block; white-space: normal; max-width: 520px; }
.check-group { border: 1px solid var(--line); border-radius: 6px; margin: 16px 0; overflow: hidden; }
.check-group > header { padding: 10px 14px; background: var(--panel); border-bottom: 1px solid var(--line); }
.check-group > header p { margin: 4px 0 0; color: var(--muted); font-size: 0.9em; }
.standards { display: inline-flex; flex-wrap: wrap; gap: 4px; margin-left: 6px; vertical-align: 1px; }
.standards span { border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; font-size: 0.78em; color: var(--muted); background: var(--bg); }
.below { color: var(--muted); font-size: 0.85em; font-weight: 400; }
article.finding { padding: 10px 14px; border-bottom: 1px solid var(--line); }
article.finding h4 { margin: 0 0 4px; font-size: 0.98em; }
article.finding h4 a { font-weight: 400; font-size: 0.88em; margin-left: 8px; }
article.finding .message { margin: 0 0 6px; }
ul.evidence { margin: 0; padding-left: 18px; font-size: 0.9em; }
ul.evidence li { margin: 3px 0; }
ul.evidence .at { color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.secret-ref { white-space: nowrap; }
.fix { margin: 0; padding: 10px 14px; background: var(--panel); font-size: 0.92em; }
.fix strong { color: var(--pass); }
section.scenario { margin: 22px 0 30px; }
section.scenario > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; margin-bottom: 6px; }
section.scenario .settings { color: var(--muted); font-size: 0.88em; }
figure { margin: 0; }
figure.timeline-figure { border: 1px solid var(--line); border-radius: 6px; padding: 6px 4px 2px; background: var(--lane); overflow-x: auto; }
figcaption { color: var(--muted); font-size: 0.86em; margin: 6px 4px; }
figcaption .off-chart { display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 8px 12px; margin: 8px 0 0; font-size: 0.86em; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend svg { width: 26px; height: 18px; flex: none; }
.notice { border-left: 4px solid var(--warn); padding: 8px 12px; background: var(--panel); margin: 12px 0; }
ul.notes { font-size: 0.9em; color: var(--muted); }
footer { max-width: 1120px; margin: 40px auto 30px; padding: 12px 24px 0; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.85em; }

svg.timeline { display: block; width: 100%; min-width: 780px; height: auto; font-family: system-ui, "DejaVu Sans", sans-serif; }
svg.timeline text { fill: var(--fg); }
.lane-bg { fill: var(--lane); } .lane-bg.odd { fill: var(--lane-odd); }
.lane-label { fill: var(--muted) !important; font-weight: 600; }
.grid { stroke: var(--grid); stroke-width: 1; }
.axis-line, .tick { stroke: var(--muted); stroke-width: 1; }
.tick-label, .axis-title { fill: var(--muted) !important; font-size: 10px; }
.run { fill: var(--run); } .run.timed-out { fill: var(--fail); }
.run-label { font-size: 10px; fill: var(--run-fg) !important; }
.grace-bg { fill: var(--grace-bg); } .grace-line { stroke: var(--grace); stroke-width: 3.5; }
.grace { stroke: var(--grace); stroke-width: 1; }
.band rect { fill: var(--band); }
.band line { stroke: var(--band-edge); stroke-width: 1.5; stroke-dasharray: 3 2; }
.shape { stroke: var(--bg); stroke-width: 1.5; }
.tone-pending { fill: var(--pending); } .tone-slow-down { fill: var(--slow); }
.tone-success { fill: var(--success); } .tone-error { fill: var(--error); }
.tone-fault { stroke: var(--fault); stroke-width: 1.5; }
.hatch-bg { fill: var(--fault-bg); } .hatch-line { stroke: var(--fault); stroke-width: 2; }
.shape.other { fill: var(--bg); stroke-width: 1.5; }
.shape.other.tone-pending, .shape.other.tone-success { stroke: var(--muted); }
.shape.other.tone-error { stroke: var(--error); } .shape.other.tone-slow-down { stroke: var(--slow); }
.cross { stroke-width: 3; fill: none; stroke-linecap: round; }
.cross.tone-success, .cross.tone-pending { stroke: var(--muted); } .cross.tone-error { stroke: var(--error); } .cross.tone-fault { stroke: var(--fault); }
.mark.early .shape { fill: var(--early); }
.early-ring { fill: none; stroke: var(--early); stroke-width: 2; }
.flag-ring { fill: none; stroke: var(--late); stroke-width: 1.6; stroke-dasharray: 2.5 2; }
.mark-tag { font-size: 10px; fill: var(--muted) !important; }
.mark-tag, .event text, .gap text { paint-order: stroke; stroke: var(--lane); stroke-width: 3px; stroke-linejoin: round; }
.run.timed-out + .run-label, .timed-out ~ .run-label { fill: #ffffff !important; }
.mark-tag .tag { fill: var(--fg); }
.mark-tag .tag.early { fill: var(--early); font-weight: 700; }
.mark-tag .tag.flagged { fill: var(--late); font-weight: 700; }
.leak { fill: var(--early); stroke: var(--bg); stroke-width: 1.5; }
.leak-text { fill: #ffffff !important; font-weight: 800; font-size: 11px; }
.gap path { fill: none; stroke: var(--early); stroke-width: 1.5; }
.gap text { fill: var(--early) !important; font-size: 10px; font-weight: 700; }
.event line { stroke-width: 1.5; }
.event text { font-size: 10.5px; font-weight: 600; }
.event-approved line { stroke: var(--success); } .event-approved text { fill: var(--success) !important; }
.event-denied line { stroke: var(--error); } .event-denied text { fill: var(--error) !important; }
.event-expiry line { stroke: var(--expiry); stroke-dasharray: 5 3; } .event-expiry text { fill: var(--expiry) !important; }
.event-exit line { stroke: var(--fg); } .event-exit text { fill: var(--fg) !important; }
.event-grace-end line { stroke: var(--muted); stroke-dasharray: 2 3; } .event-grace-end text { fill: var(--muted) !important; font-weight: 400; }
.event.alarm line { stroke: var(--fail); } .event.alarm text { fill: var(--fail) !important; font-weight: 700; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav.toc { display: none; }
  .table-wrap, figure.timeline-figure { overflow: visible; }
  svg.timeline { min-width: 0; }
  body { font-size: 10pt; }
  header.top, main, footer { max-width: none; padding-left: 0; padding-right: 0; }
  section.scenario, article.finding, .check-group > header, tr, figure { break-inside: avoid; }
  h2, h3, section.scenario > header { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
