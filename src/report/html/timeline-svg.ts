/**
 * Draws a `Timeline` as inline SVG: lanes stacked over one time axis (seconds since the
 * program started), marks shaped by request kind and coloured by the lab's answer, the interval
 * in force as a band after each poll, early gaps bracketed in red, events as labelled lines.
 * Colours come from the page's CSS classes, so light, dark and print schemes apply.
 */
import type { Content, Markup } from './markup.ts';
import { html, join, px } from './markup.ts';
import type { Band, Gap, Lane, Mark, Timeline, TimelineEvent } from './timeline.ts';

const WIDTH = 1000;
const LEFT = 150;
const RIGHT = 28;
const FONT = 11;
const LABEL_ROW = 15;
const AXIS = 34;

const LANE_HEIGHT: Record<Lane['kind'], number> = {
  program: 32,
  'device-code': 70,
  other: 52,
  output: 46,
};

/** Where marks sit in a lane, from its top. */
const MARK_Y: Record<Lane['kind'], number> = {
  program: 16,
  'device-code': 32,
  other: 30,
  output: 26,
};

/** A rough text width, enough to keep labels from overlapping. */
function textWidth(text: string, size = FONT): number {
  return text.length * size * 0.58;
}

/** Tick step (seconds) giving at most ~12 ticks over the span. */
export function tickStep(spanSeconds: number): number {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
  return steps.find((step) => spanSeconds / step <= 12) ?? 3600;
}

function tickLabel(value: number, step: number): string {
  return `${step < 1 ? value.toFixed(1) : String(Math.round(value))} s`;
}

interface Placed<T> {
  item: T;
  row: number;
  x: number;
  anchor: 'start' | 'middle' | 'end';
}

/**
 * Greedy rows for labels along the axis: each label goes in the first row where it does not
 * overlap the one before it; `undefined` when all `rows` are taken at that spot.
 */
function placeLabels<T>(
  items: readonly { item: T; x: number; text: string; anchor: 'start' | 'middle' }[],
  rows: number,
  maxX: number,
): (Placed<T> | undefined)[] {
  const rowEnd: number[] = Array.from({ length: rows }, () => Number.NEGATIVE_INFINITY);
  return items.map(({ item, x, text, anchor }) => {
    const width = textWidth(text);
    let start = anchor === 'start' ? x + 4 : x - width / 2;
    let placedAnchor: Placed<T>['anchor'] = anchor;
    let at = anchor === 'start' ? x + 4 : x;
    if (start + width > maxX) {
      start = anchor === 'start' ? x - 4 - width : maxX - width;
      placedAnchor = 'end';
      at = anchor === 'start' ? x - 4 : maxX;
    }
    const row = rowEnd.findIndex((end) => start >= end + 6);
    if (row === -1) return undefined;
    rowEnd[row] = start + width;
    return { item, row, x: at, anchor: placedAnchor };
  });
}

export interface TimelineSvgOptions {
  /** Unique within the page: makes the SVG's ids (patterns, title) unique. */
  id: string;
  /** Shown to screen readers and as the chart's tooltip. */
  title: string;
  /** `data-timeline` value, e.g. `task/scenario`. */
  name: string;
}

export function renderTimelineSvg(timeline: Timeline, options: TimelineSvgOptions): Markup {
  const { origin } = timeline;
  const span = Math.max(1, (timeline.end - origin) / 1000);
  const step = tickStep(span);
  const axisEnd = Math.ceil(span / step - 1e-9) * step;
  const plot = WIDTH - LEFT - RIGHT;
  const x = (t: number) => LEFT + (((t - origin) / 1000) * plot) / axisEnd;

  // Event labels above the lanes, in as many rows as they need (up to 5; the rest in tooltips).
  const eventLabels = placeLabels(
    timeline.events.map((event) => ({
      item: event,
      x: x(event.t),
      text: event.label,
      anchor: 'start' as const,
    })),
    5,
    WIDTH - 2,
  );
  const headerRows = Math.max(1, ...eventLabels.map((p) => (p ? p.row + 1 : 0)));
  const header = headerRows * LABEL_ROW + 8;

  const laneTop = new Map<string, number>();
  let y = header;
  for (const lane of timeline.lanes) {
    laneTop.set(lane.id, y);
    y += LANE_HEIGHT[lane.kind];
  }
  const lanesBottom = y;
  const height = lanesBottom + AXIS;
  const laneOf = new Map(timeline.lanes.map((lane) => [lane.id, lane]));
  const markY = (laneId: string) => {
    const lane = laneOf.get(laneId);
    return (laneTop.get(laneId) ?? header) + (lane ? MARK_Y[lane.kind] : 16);
  };
  const hatch = `hatch-${options.id}`;
  const graceHatch = `grace-${options.id}`;

  // ── Grid and axis ──
  const ticks: number[] = [];
  for (let v = 0; v <= axisEnd + 1e-9; v += step) ticks.push(Math.round(v * 1000) / 1000);
  const grid = ticks.map(
    (v) =>
      html`<line class="grid" x1="${px(x(origin + v * 1000))}" x2="${px(x(origin + v * 1000))}" y1="${px(header - 4)}" y2="${px(lanesBottom)}"/>`,
  );
  const axis = html`<g class="axis" data-axis="seconds">
<line class="axis-line" x1="${LEFT}" x2="${px(WIDTH - RIGHT)}" y1="${px(lanesBottom)}" y2="${px(lanesBottom)}"/>
${ticks.map(
  (v) =>
    html`<line class="tick" x1="${px(x(origin + v * 1000))}" x2="${px(x(origin + v * 1000))}" y1="${px(lanesBottom)}" y2="${px(lanesBottom + 5)}"/><text class="tick-label" x="${px(x(origin + v * 1000))}" y="${px(lanesBottom + 18)}" text-anchor="middle">${tickLabel(v, step)}</text>`,
)}
<text class="axis-title" x="${LEFT - 26}" y="${px(lanesBottom + 18)}" text-anchor="end">since start</text>
</g>`;

  // ── Lanes ──
  const lanes = timeline.lanes.map((lane, i) => {
    const top = laneTop.get(lane.id) ?? header;
    const h = LANE_HEIGHT[lane.kind];
    return html`<g class="lane lane-${lane.kind}" data-lane="${lane.id}">
<rect class="lane-bg${i % 2 ? ' odd' : ''}" x="0" y="${px(top)}" width="${WIDTH}" height="${h}"/>
<text class="lane-label" x="${LEFT - 10}" y="${px(top + MARK_Y[lane.kind] + 4)}" text-anchor="end">${lane.label}</text>
</g>`;
  });

  // ── Program runs ──
  const programY = markY('program');
  const spans = timeline.spans.map((s) => {
    const x1 = x(s.from);
    const x2 = Math.max(x(s.to), x1 + 1);
    const xg = x(s.graceTo);
    const label = s.timedOut ? `${s.label} (timed out)` : s.label;
    return html`<g class="span" data-span="run" data-invocation="${s.invocation}">
<title>${s.label}: ${`${((s.to - s.from) / 1000).toFixed(1)} s`}${s.timedOut ? ', killed at its timeout' : ''}; then a grace period of ${`${((s.graceTo - s.to) / 1000).toFixed(1)} s`} while the lab kept listening</title>
<rect class="run${s.timedOut ? ' timed-out' : ''}" x="${px(x1)}" y="${px(programY - 7)}" width="${px(x2 - x1)}" height="14" rx="3"/>
${xg > x2 ? html`<rect class="grace" x="${px(x2)}" y="${px(programY - 7)}" width="${px(xg - x2)}" height="14" fill="url(#${graceHatch})"/>` : null}
${x2 - x1 > textWidth(label, 10) + 8 ? html`<text class="run-label" x="${px(x1 + 5)}" y="${px(programY + 3.5)}">${label}</text>` : null}
</g>`;
  });

  // ── Bands, gaps, events, marks ──
  const bands = timeline.bands.map((band) =>
    renderBand(band, x, laneTop.get(band.lane) ?? header, WIDTH - RIGHT),
  );
  const gapRows = new Map<string, number[]>();
  const gaps = timeline.gaps.map((gap) => {
    const rows = gapRows.get(gap.lane) ?? [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    gapRows.set(gap.lane, rows);
    return renderGap(gap, x, markY(gap.lane), rows);
  });
  const events = timeline.events.map((event, i) =>
    renderEvent(event, x(event.t), eventLabels[i], header, lanesBottom),
  );
  const tagEnds = new Map<string, number>();
  // Requests a few milliseconds apart (metadata, refresh, resource) would hide each other:
  // outside the poll lanes, a mark that would overlap one before it moves up or down a level.
  const levels = new Map<string, number[]>();
  const marks = timeline.marks.map((mark) => {
    const cx = x(mark.t);
    let cy = markY(mark.lane);
    if (laneOf.get(mark.lane)?.kind !== 'device-code') {
      const lastX = levels.get(mark.lane) ?? [
        Number.NEGATIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ];
      levels.set(mark.lane, lastX);
      const level = Math.max(
        0,
        lastX.findIndex((last) => cx - last >= 13),
      );
      lastX[level] = cx;
      cy += [0, -11, 11][level] ?? 0;
    }
    // Above each mark: its poll number (as findings name polls) and a word for odd answers.
    let tag: Content = null;
    const number = mark.poll === undefined ? '' : String(mark.poll);
    const text = [number, mark.tag ?? ''].filter(Boolean).join(' ');
    if (text) {
      const width = textWidth(text, 10);
      const start = cx - width / 2;
      // When crowded, a label that would overlap the one before is left to the tooltip.
      if (start >= (tagEnds.get(mark.lane) ?? Number.NEGATIVE_INFINITY) + 3) {
        tagEnds.set(mark.lane, start + width);
        tag = html`<text class="mark-tag" x="${px(cx)}" y="${px(cy - 12)}" text-anchor="middle">${number ? html`<tspan class="poll-number">${number}</tspan>` : null}${number && mark.tag ? ' ' : null}${mark.tag ? html`<tspan class="tag${mark.early ? ' early' : ''}${mark.findings.length ? ' flagged' : ''}">${mark.tag}</tspan>` : null}</text>`;
      }
    }
    return renderMark(mark, cx, cy, hatch, origin, tag);
  });

  const early = timeline.marks.filter((m) => m.early).length;
  const polls = timeline.marks.filter((m) => m.kind === 'poll').length;
  return html`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${px(height)}" width="${WIDTH}" height="${px(height)}" role="img" aria-labelledby="${options.id}-title" data-timeline="${options.name}" data-poll-count="${polls}" data-early-count="${early}" font-size="${FONT}">
<title id="${options.id}-title">${options.title}</title>
<defs>
<pattern id="${hatch}" patternUnits="userSpaceOnUse" width="4" height="4" patternTransform="rotate(45)"><rect class="hatch-bg" width="4" height="4"/><line class="hatch-line" x1="0" y1="0" x2="0" y2="4"/></pattern>
<pattern id="${graceHatch}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect class="grace-bg" width="6" height="6"/><line class="grace-line" x1="0" y1="0" x2="0" y2="6"/></pattern>
</defs>
${lanes}
<g class="grid-lines">${grid}</g>
<g class="spans">${spans}</g>
<g class="bands">${bands}</g>
<g class="events">${events}</g>
<g class="gaps">${gaps}</g>
<g class="marks">${marks}</g>
${axis}
</svg>`;
}

function renderBand(band: Band, x: (t: number) => number, top: number, maxX: number): Markup {
  const x1 = x(band.from);
  const end = x(band.to);
  const x2 = Math.min(end, maxX);
  return html`<g class="band" data-band="interval" data-seconds="${band.seconds}"><title>${band.tooltip}</title><rect x="${px(x1)}" y="${px(top + 21)}" width="${px(Math.max(1, x2 - x1))}" height="22"/>${end <= maxX ? html`<line x1="${px(x2)}" x2="${px(x2)}" y1="${px(top + 21)}" y2="${px(top + 43)}"/>` : null}</g>`;
}

/** A bracket under an early gap, its length written under it (two rows, then tooltip only). */
function renderGap(gap: Gap, x: (t: number) => number, cy: number, rowEnds: number[]): Markup {
  const x1 = x(gap.from);
  const x2 = x(gap.to);
  const y = cy + 14;
  const mid = (x1 + x2) / 2;
  const width = textWidth(gap.label, 10);
  const row = rowEnds.findIndex((end) => mid - width / 2 >= end + 3);
  if (row !== -1) rowEnds[row] = mid + width / 2;
  const labelY = y + 11 + (row === -1 ? 0 : row) * 11;
  return html`<g class="gap" data-gap="${gap.owner}"><title>${gap.tooltip}</title><path d="M${px(x1)} ${px(y - 4)}V${px(y)}H${px(x2)}V${px(y - 4)}"/>${row === -1 ? null : html`<text x="${px(mid)}" y="${px(labelY)}" text-anchor="middle">${gap.label}</text>`}</g>`;
}

function renderEvent(
  event: TimelineEvent,
  ex: number,
  label: Placed<TimelineEvent> | undefined,
  header: number,
  bottom: number,
): Markup {
  const labelY = label ? 4 + (label.row + 1) * LABEL_ROW - 4 : header;
  return html`<g class="event event-${event.kind}${event.alarm ? ' alarm' : ''}" data-event="${event.kind}"><title>${event.tooltip}</title><line x1="${px(ex)}" x2="${px(ex)}" y1="${px(label ? labelY - 10 : header - 4)}" y2="${px(bottom)}"/>${label ? html`<text x="${px(label.x)}" y="${px(labelY)}" text-anchor="${label.anchor}">${event.label}</text>` : null}</g>`;
}

function renderMark(
  mark: Mark,
  cx: number,
  cy: number,
  hatch: string,
  origin: number,
  tag: Content,
): Markup {
  const fill = mark.tone === 'fault' ? html` fill="url(#${hatch})"` : null;
  const cls = `shape tone-${mark.tone}`;
  let shape: Markup;
  switch (mark.kind) {
    case 'poll':
      shape = html`<circle class="${cls}"${fill} cx="${px(cx)}" cy="${px(cy)}" r="6"/>`;
      break;
    case 'device-authorization':
      shape = html`<path class="${cls}"${fill} d="M${px(cx)} ${px(cy - 8)}L${px(cx + 8)} ${px(cy)}L${px(cx)} ${px(cy + 8)}L${px(cx - 8)} ${px(cy)}Z"/>`;
      break;
    case 'resource':
      shape = html`<rect class="${cls}"${fill} x="${px(cx - 5.5)}" y="${px(cy - 5.5)}" width="11" height="11"/>`;
      break;
    case 'refresh':
      shape = html`<path class="${cls}"${fill} d="M${px(cx)} ${px(cy - 7)}L${px(cx + 7)} ${px(cy + 6)}L${px(cx - 7)} ${px(cy + 6)}Z"/>`;
      break;
    case 'revocation':
      shape = html`<path class="cross tone-${mark.tone}" d="M${px(cx - 5)} ${px(cy - 5)}L${px(cx + 5)} ${px(cy + 5)}M${px(cx + 5)} ${px(cy - 5)}L${px(cx - 5)} ${px(cy + 5)}"/>`;
      break;
    case 'leak':
      shape = html`<circle class="leak" cx="${px(cx)}" cy="${px(cy)}" r="7"/><text class="leak-text" x="${px(cx)}" y="${px(cy + 4)}" text-anchor="middle">!</text>`;
      break;
    case 'output':
      shape = html`<circle class="shape tone-pending" cx="${px(cx)}" cy="${px(cy)}" r="4.5"/>`;
      break;
    default:
      shape = html`<circle class="other ${cls}" cx="${px(cx)}" cy="${px(cy)}" r="3.5"/>`;
  }
  const ring = mark.early
    ? html`<circle class="early-ring" cx="${px(cx)}" cy="${px(cy)}" r="9"/>`
    : mark.findings.length > 0 && mark.kind !== 'leak'
      ? html`<circle class="flag-ring" cx="${px(cx)}" cy="${px(cy)}" r="10"/>`
      : null;
  return html`<g class="mark${mark.early ? ' early' : ''}${mark.findings.length ? ' flagged' : ''}" data-mark="${mark.kind}" data-outcome="${mark.outcome}" data-tone="${mark.tone}" data-early="${String(mark.early)}" data-late="${String(mark.late)}"${mark.findings.length ? html` data-findings="${mark.findings.join(' ')}"` : null}${mark.poll === undefined ? null : html` data-poll="${mark.poll}"`} data-lane="${mark.lane}" data-t="${((mark.t - origin) / 1000).toFixed(3)}"><title>${join(mark.tooltip, '\n')}</title>${ring}${shape}${tag}</g>`;
}
