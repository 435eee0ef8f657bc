// The HTML report in a real Chromium: it loads from a file without a single other request or
// console message, draws a timeline per scenario with a mark per request (as many poll marks as
// the evidence has token polls, as many early ones as the checks found early gaps), and fits the
// window in light, dark, narrow and print. Screenshots land in test-artifacts/ for a person to
// look at. Needs Debian's /usr/bin/chromium; skipped without it.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { earlyGaps, isDevicePoll, requestsOf } from '../src/checks/timeline.ts';
import { parseEvidence } from '../src/evidence/load.ts';
import { GAP_OWNERS } from '../src/report/html/timeline.ts';
import { renderHtml } from '../src/report/html.ts';
import type { Report } from '../src/report/model.ts';
import { HAVE_CHROMIUM, launchChromium, NO_CHROMIUM } from './browser.ts';
import { reportFrom } from './fixtures/report/report.ts';

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url);

/** A saved evidence file of test/fixtures/report/ (see src/report/html.test.ts), judged. */
function report(name: string): Report {
  const file = fileURLToPath(new URL(`./fixtures/report/${name}`, import.meta.url));
  return reportFrom(parseEvidence(readFileSync(file, 'utf8'), file));
}

/** The browser globals read here (the project's tsconfig has no DOM types). */
interface BrowserGlobals {
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
  getComputedStyle(element: unknown): { fill: string; backgroundColor: string };
}

let browser: Browser | undefined;

interface Loaded {
  page: Page;
  url: string;
  /** Every URL the page requested, itself included. */
  requests: string[];
  /** Console errors and warnings, uncaught page errors. */
  problems: string[];
  close(): Promise<void>;
}

/** Writes the page to test-artifacts/ and opens it from there as a reviewer would. */
async function open(
  html: string,
  file: string,
  options: { colorScheme?: 'light' | 'dark'; width?: number } = {},
): Promise<Loaded> {
  if (!browser) throw new Error('browser not started');
  const path = new URL(file, ARTIFACTS);
  await writeFile(path, html);
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1200, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(path.href, { waitUntil: 'load' });
  return { page, url: path.href, requests, problems, close: () => context.close() };
}

/** Marks in one scenario's timeline, as the browser sees them. */
async function markCounts(page: Page, name: string) {
  const svg = page.locator(`svg[data-timeline="${name}"]`);
  expect(await svg.count(), name).toBe(1);
  return {
    polls: await svg.locator('[data-mark="poll"]').count(),
    refresh: await svg.locator('[data-mark="refresh"]').count(),
    early: await svg.locator('[data-mark="poll"][data-early="true"]').count(),
    requests: await svg
      .locator('[data-mark]:not([data-mark="leak"]):not([data-mark="output"])')
      .count(),
    width: (await svg.boundingBox())?.width ?? 0,
  };
}

/** Pixels the page is wider than the window (0: no sideways scrolling). */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as BrowserGlobals).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

function fillOf(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).fill);
}

function pageBackground(page: Page): Promise<string> {
  return page.evaluate(() => {
    const g = globalThis as unknown as BrowserGlobals;
    return g.getComputedStyle(g.document.documentElement).backgroundColor;
  });
}

describe.skipIf(!HAVE_CHROMIUM)(`HTML report in a real browser${NO_CHROMIUM}`, () => {
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    browser = undefined;
  });

  for (const [fixture, artifact] of [
    ['html-bad-poll-interval.json', 'report-html-poll-interval'],
    ['html-mixed.json', 'report-html'],
  ] as const) {
    it(`${fixture}: loads offline; a timeline per scenario, a mark per request, early polls as the checks found them`, async () => {
      const data = report(fixture);
      const loaded = await open(renderHtml(data, { color: false }), `${artifact}.html`);
      try {
        const { page } = loaded;
        expect(await page.getAttribute('body', 'data-verdict')).toBe('fail');
        expect(await page.locator('svg.timeline').count()).toBe(data.evidence.runs.length);
        const multiTask = new Set(data.evidence.runs.map((run) => run.task)).size > 1;
        let early = 0;
        for (const run of data.evidence.runs) {
          const name = multiTask ? `${run.task}/${run.scenario}` : run.scenario;
          const requests = requestsOf(run);
          const gaps = GAP_OWNERS.flatMap((owner) => earlyGaps(run, owner));
          const counts = await markCounts(page, name);
          expect(counts.polls, name).toBe(requests.filter(isDevicePoll).length);
          expect(counts.polls + counts.refresh, name).toBe(
            requests.filter((r) => r.endpoint === 'token').length,
          );
          expect(counts.early, name).toBe(gaps.length);
          expect(counts.requests, name).toBe(requests.length);
          expect(counts.width, name).toBeGreaterThan(900);
          early += gaps.length;
        }
        expect(early).toBeGreaterThan(0);
        // Early polls are drawn red, not only tagged.
        const pending = await fillOf(
          page,
          '[data-mark="poll"][data-tone="pending"][data-early="false"] .shape',
        );
        const red = await fillOf(page, '[data-mark="poll"][data-early="true"] .shape');
        expect(pending).toMatch(/^rgb\(/);
        expect(red).not.toBe(pending);
        expect(red).toMatch(/^rgb\(2\d\d, \d{1,2}, \d{1,2}\)$/);
        // Every mark explains itself on hover.
        const tooltip = await page.locator('[data-mark="poll"] > title').first().textContent();
        expect(tooltip).toMatch(/^poll 1 at \+\d+\.\d s \(lab \d+\.\d s\)\nPOST \/token/);

        // Nothing but the page itself was requested; nothing complained; nothing overflows.
        expect(loaded.requests).toEqual([loaded.url]);
        expect(loaded.problems).toEqual([]);
        expect(await sidewaysOverflow(page)).toBe(0);
        const png = await page.screenshot({
          path: fileURLToPath(new URL(`${artifact}.png`, ARTIFACTS)),
          fullPage: true,
        });
        expect(png.byteLength).toBeGreaterThan(50_000);
      } finally {
        await loaded.close();
      }
    });
  }

  it('two tasks in all seven scenarios at 1280 px: no element is wider than the page', async () => {
    // The golden evidence (two tasks, three scenarios each), its approve runs copied into the
    // other four scenarios: fourteen runs, the matrix one table per task.
    const file = fileURLToPath(new URL('./fixtures/report/evidence.json', import.meta.url));
    const evidence = JSON.parse(readFileSync(file, 'utf8')) as {
      runs: { scenario: string }[];
    };
    evidence.runs = evidence.runs.flatMap((run) =>
      run.scenario === 'approve'
        ? [
            run,
            ...['expire', 'slow-down', 'server-error', 'fault'].map((scenario) => ({
              ...structuredClone(run),
              scenario,
            })),
          ]
        : [run],
    );
    const wide = reportFrom(parseEvidence(JSON.stringify(evidence), file));
    expect(wide.scenarios).toHaveLength(14);
    const loaded = await open(renderHtml(wide, { color: false }), 'report-html-two-tasks.html', {
      width: 1280,
    });
    try {
      const { page } = loaded;
      expect(await page.locator('.matrix table').count()).toBe(2);
      const beyond = await page.evaluate(() => {
        const d = (globalThis as unknown as BrowserGlobals).document as unknown as {
          documentElement: { clientWidth: number };
          querySelectorAll(selector: string): {
            tagName: string;
            className: string;
            getBoundingClientRect(): { right: number };
          }[];
        };
        const width = d.documentElement.clientWidth;
        return [...d.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > width + 0.5)
          .map((element) => `${element.tagName}.${element.className}`);
      });
      expect(beyond).toEqual([]);
      expect(await sidewaysOverflow(page)).toBe(0);
    } finally {
      await loaded.close();
    }
  });

  it('dark, narrow and print: still offline, still fits, still every timeline', async () => {
    const data = report('html-mixed.json');
    const html = renderHtml(data, { color: false });
    for (const [variant, options] of [
      ['dark', { colorScheme: 'dark', width: 1200 }],
      ['narrow', { colorScheme: 'light', width: 700 }],
      // Paper is light whatever the screen prefers.
      ['print', { colorScheme: 'dark', width: 1000 }],
    ] as const) {
      const loaded = await open(html, 'report-html.html', options);
      try {
        const { page } = loaded;
        if (variant === 'print') await page.emulateMedia({ media: 'print' });
        expect(await page.locator('svg.timeline').count()).toBe(data.evidence.runs.length);
        expect(await pageBackground(page), variant).toBe(
          variant === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)',
        );
        expect(loaded.requests).toEqual([loaded.url]);
        expect(loaded.problems).toEqual([]);
        expect(await sidewaysOverflow(page), variant).toBe(0);
        await page.screenshot({
          path: fileURLToPath(new URL(`report-html-${variant}.png`, ARTIFACTS)),
          fullPage: true,
        });
      } finally {
        await loaded.close();
      }
    }
  });
});
