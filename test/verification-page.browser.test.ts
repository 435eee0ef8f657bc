import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, startLab } from '../src/lab/index.ts';
import { HAVE_CHROMIUM, launchChromium, NO_CHROMIUM } from './browser.ts';
import {
  authorizeDevice,
  type DeviceAuthorizationAnswer,
  type JsonAnswer,
  pollToken,
  sleep,
} from './helpers.ts';

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url);

const labs = new Set<Lab>();
let browser: Browser | undefined;

/** A lab where only the person on the page (or the test) decides. */
async function newLab(): Promise<Lab> {
  const lab = await startLab({ interval: 1, approveAfter: null });
  labs.add(lab);
  return lab;
}

async function newContext(options: { colorScheme?: 'light' | 'dark' } = {}) {
  if (!browser) throw new Error('browser not started');
  return browser.newContext({
    viewport: { width: 900, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
  });
}

/** Runs `body` with a fresh page (own cookies) and always closes its context. */
async function withPage<T>(
  body: (page: Page, context: BrowserContext) => Promise<T>,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<T> {
  const context = await newContext(options);
  try {
    return await body(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

interface Poller {
  /** Every answer so far, oldest first. */
  readonly answers: JsonAnswer[];
  /** The first answer that is not `authorization_pending` / `slow_down`. */
  readonly final: Promise<JsonAnswer>;
  stop(): void;
}

/**
 * A well-behaved device client polling in the background: waits the interval (plus 100 ms)
 * before each poll and adds 5 s on `slow_down`, as RFC 8628 §3.5 asks.
 */
function startPolling(lab: Lab, device: DeviceAuthorizationAnswer): Poller {
  const answers: JsonAnswer[] = [];
  let stopped = false;
  const final = (async () => {
    let intervalMs = device.interval * 1000;
    const deadline = Date.now() + 25_000;
    while (!stopped && Date.now() < deadline) {
      await sleep(intervalMs + 100);
      if (stopped) break;
      const answer = await pollToken(lab.issuer, lab.clientId, device.device_code);
      answers.push(answer);
      const error = answer.body.error;
      if (error === 'slow_down') intervalMs += 5000;
      else if (error !== 'authorization_pending') return answer;
    }
    throw new Error(`polling ended without an answer after ${answers.length} polls`);
  })();
  // The test awaits `final`; this keeps an early rejection from being reported as unhandled.
  final.catch(() => {});
  return {
    answers,
    final,
    stop: () => {
      stopped = true;
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function deviceFingerprint(lab: Lab, deviceCode: string): string {
  const canary = lab
    .canaries()
    .find((c) => c.kind === 'device_code' && c.secret.reveal() === deviceCode);
  if (!canary) throw new Error('the lab did not record this device_code');
  return canary.secret.fingerprint;
}

/** The trace names credentials by fingerprint only: no value the lab issued, in any spelling. */
function expectTraceHoldsNoSecrets(lab: Lab, typed: string[] = []): void {
  const trace = JSON.stringify(lab.trace.events).toLowerCase();
  const values = lab.canaries().map((c) => c.secret.reveal());
  expect(values.length).toBeGreaterThan(0);
  for (const value of [...values, ...typed]) {
    for (const spelling of new Set([value, value.replace(/-/g, '')])) {
      expect(trace.includes(spelling.toLowerCase()), `trace contains ${spelling}`).toBe(false);
    }
  }
}

/** How a person would type the code: lower case, no dash. */
const sloppy = (userCode: string) => userCode.replace(/-/g, '').toLowerCase();

/** The CSRF field of a page the lab rendered. */
function csrfField(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no csrf field on the page');
  return match[1];
}

describe.skipIf(!HAVE_CHROMIUM)(`verification page in a real browser${NO_CHROMIUM}`, () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      browser = undefined;
      await Promise.all([...labs].map((lab) => lab.close()));
      labs.clear();
    }
  });

  it('enters a sloppily typed code, shows client and scopes, approves; the polling client gets a token', async () => {
    const lab = await newLab();
    const device = await authorizeDevice(lab.issuer, lab.clientId, 'openid profile offline_access');
    const poller = startPolling(lab, device);
    try {
      await withPage(async (page) => {
        await page.goto(`${lab.issuer}/device`);
        await page.fill('input#user_code', sloppy(device.user_code));
        await page.click('button[type=submit]:has-text("Continue")');

        await page.waitForSelector('#shown-code');
        expect((await page.textContent('#shown-code'))?.trim()).toBe(device.user_code);
        expect((await page.textContent('#client-id'))?.trim()).toBe(lab.clientId);
        const scopes = page.locator('#scopes li');
        expect(await scopes.count()).toBe(3);
        const risky: Record<string, boolean> = {};
        for (const item of await scopes.all()) {
          const name = (await item.locator('code').textContent())?.trim() ?? '';
          risky[name] = (await item.getAttribute('class'))?.split(/\s+/).includes('risky') ?? false;
        }
        expect(risky).toEqual({ openid: false, profile: false, offline_access: true });
        // Highlighted for real, not only tagged: the risky row's background differs.
        const background = (selector: string) =>
          page
            .locator(selector)
            .first()
            .evaluate(
              (el) =>
                (
                  globalThis as unknown as {
                    getComputedStyle(e: unknown): { backgroundColor: string };
                  }
                ).getComputedStyle(el).backgroundColor,
            );
        expect(await background('#scopes li.risky')).not.toBe(
          await background('#scopes li:not(.risky)'),
        );

        // The client must have been polling (and told to wait) before the person decides.
        await until('a pending poll', () =>
          poller.answers.some((a) => a.body.error === 'authorization_pending'),
        );
        await page.click('button#approve');
        await page.waitForSelector('#result');
        expect(await page.getAttribute('#result', 'data-result')).toBe('approved');
        expect(await page.textContent('#result')).toMatch(/approved/i);
      });

      const answer = await poller.final;
      expect(answer.status).toBe(200);
      expect(answer.body.access_token).toEqual(expect.any(String));
      expect(answer.body.token_type).toMatch(/^bearer$/i);

      const decisions = lab.trace.events.filter((e) => e.type === 'decision');
      expect(decisions).toEqual([
        expect.objectContaining({
          decision: 'approved',
          by: 'page',
          deviceCode: deviceFingerprint(lab, device.device_code),
        }),
      ]);
      expectTraceHoldsNoSecrets(lab, [sloppy(device.user_code)]);
    } finally {
      poller.stop();
    }
  });

  it('opens verification_uri_complete straight on the consent page; Deny gives access_denied', async () => {
    const lab = await newLab();
    const device = await authorizeDevice(lab.issuer, lab.clientId, 'openid read');
    const poller = startPolling(lab, device);
    try {
      await withPage(async (page) => {
        const response = await page.goto(device.verification_uri_complete);
        expect(response?.status()).toBe(200);
        expect(await page.locator('input#user_code').count()).toBe(0);
        expect((await page.textContent('#shown-code'))?.trim()).toBe(device.user_code);
        expect((await page.textContent('#client-id'))?.trim()).toBe(lab.clientId);
        expect(await page.locator('#scopes li.risky').count()).toBe(0);

        await until('a pending poll', () => poller.answers.length > 0);
        await page.click('button#deny');
        await page.waitForSelector('#result');
        expect(await page.getAttribute('#result', 'data-result')).toBe('denied');
      });

      const answer = await poller.final;
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('access_denied');
      expect(lab.trace.events.filter((e) => e.type === 'decision')).toEqual([
        expect.objectContaining({ decision: 'denied', by: 'page' }),
      ]);
      expectTraceHoldsNoSecrets(lab);
    } finally {
      poller.stop();
    }
  });

  it('refuses a decision without the CSRF cookie or with a wrong CSRF field', async () => {
    const lab = await newLab();
    const device = await authorizeDevice(lab.issuer, lab.clientId);
    const url = `${lab.issuer}/device`;

    // Two independent sessions, as two browsers would have.
    const session = async () => {
      const response = await fetch(url);
      const cookie = response.headers.get('set-cookie')?.split(';')[0];
      if (!cookie) throw new Error('no CSRF cookie set');
      return { cookie, csrf: csrfField(await response.text()) };
    };
    const mine = await session();
    const other = await session();
    expect(mine.csrf).not.toBe(other.csrf);

    const decide = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ action: 'approve', user_code: device.user_code, ...form }),
        redirect: 'manual',
      });

    const refusals = [
      decide({ csrf: mine.csrf }), // no cookie
      decide({ csrf: 'x'.repeat(43) }, { cookie: mine.cookie }), // wrong field
      decide({}, { cookie: mine.cookie }), // no field
      decide({ csrf: other.csrf }, { cookie: mine.cookie }), // another session's field
      decide({ csrf: mine.csrf }, { cookie: mine.cookie, origin: 'https://evil.example' }),
    ];
    for (const response of await Promise.all(refusals)) {
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('data-result="problem"');
    }

    expect(lab.trace.events.filter((e) => e.type === 'decision')).toEqual([]);
    const pending = await pollToken(lab.issuer, lab.clientId, device.device_code);
    expect(pending.body.error).toBe('authorization_pending');

    // Control: the same request with the right cookie and field is accepted.
    const accepted = await decide({ csrf: mine.csrf }, { cookie: mine.cookie });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('data-result="approved"');
    await sleep(1100);
    const token = await pollToken(lab.issuer, lab.clientId, device.device_code);
    expect(token.status).toBe(200);
    expectTraceHoldsNoSecrets(lab);
  });

  it('answers 429 with retry-after after five wrong codes, even for the right code', async () => {
    const lab = await newLab();
    const device = await authorizeDevice(lab.issuer, lab.clientId);
    const right = device.user_code.replace('-', '');
    const wrong = ['BCDFGHJK', 'LMNPQRST', 'VWXZBCDF', 'GHJKLMNP', 'QRSTVWXZ', 'ZZZZZZZZ']
      .filter((code) => code !== right)
      .slice(0, 5);

    await withPage(async (page) => {
      await page.goto(`${lab.issuer}/device`);
      for (const code of wrong) {
        await page.fill('input#user_code', code);
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.click('button[type=submit]'),
        ]);
        expect(response.status()).toBe(400);
        await page.waitForSelector('#error');
      }

      await page.fill('input#user_code', device.user_code);
      const [limited] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.click('button[type=submit]'),
      ]);
      expect(limited.status()).toBe(429);
      const retryAfter = Number(limited.headers()['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      await page.waitForSelector('#error');
      expect(await page.textContent('#error')).toMatch(/too many/i);
      expect(await page.locator('#shown-code, button#approve').count()).toBe(0);

      // The complete link is limited too: it must not be a way around the limit.
      const viaLink = await page.goto(device.verification_uri_complete);
      expect(viaLink?.status()).toBe(429);
      expect(viaLink?.headers()['retry-after']).toMatch(/^\d+$/);
    });

    expect(lab.trace.events.filter((e) => e.type === 'decision')).toEqual([]);
    const pending = await pollToken(lab.issuer, lab.clientId, device.device_code);
    expect(pending.body.error).toBe('authorization_pending');
    expectTraceHoldsNoSecrets(lab, wrong);
  });

  it('loads nothing from outside the lab and breaks none of its own CSP', async () => {
    const lab = await newLab();
    const device = await authorizeDevice(lab.issuer, lab.clientId, 'openid offline_access');
    const origin = new URL(lab.issuer).origin;
    const requests: string[] = [];
    const failed: string[] = [];
    const problems: string[] = [];

    await withPage(async (page) => {
      page.on('request', (request) => requests.push(request.url()));
      page.on('requestfailed', (request) =>
        failed.push(`${request.url()}: ${request.failure()?.errorText}`),
      );
      page.on('console', (message) => {
        if (message.type() === 'error' || /content security policy/i.test(message.text()))
          problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

      const form = await page.goto(`${lab.issuer}/device`);
      const csp = form?.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/style-src 'nonce-[^']+'/);
      // The nonce'd stylesheet applied: the card has its rounded border.
      const radius = await page.locator('main').evaluate(
        (el) =>
          (
            globalThis as unknown as {
              getComputedStyle(e: unknown): { borderTopLeftRadius: string };
            }
          ).getComputedStyle(el).borderTopLeftRadius,
      );
      expect(radius).toBe('12px');

      await page.fill('input#user_code', device.user_code);
      await page.click('button[type=submit]');
      await page.waitForSelector('#shown-code');
      await page.click('button#approve');
      await page.waitForSelector('#result[data-result=approved]');
      // Late console messages (a blocked favicon, say) arrive asynchronously.
      await sleep(300);
    });

    expect(requests.length).toBeGreaterThanOrEqual(3);
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
    expectTraceHoldsNoSecrets(lab);
  });

  it('renders a clean consent page (screenshots in test-artifacts/)', async () => {
    const lab = await newLab();
    const device = await authorizeDevice(
      lab.issuer,
      lab.clientId,
      'openid profile email offline_access read',
    );
    await mkdir(ARTIFACTS, { recursive: true });

    for (const [colorScheme, file] of [
      ['light', 'verification-consent.png'],
      ['dark', 'verification-consent-dark.png'],
    ] as const) {
      await withPage(
        async (page) => {
          await page.goto(device.verification_uri_complete);
          await page.waitForSelector('button#approve');
          // Everything fits in the card: nothing sticks out sideways.
          const overflow = await page.locator('main').evaluate((el) => {
            const box = el as unknown as { scrollWidth: number; clientWidth: number };
            return box.scrollWidth - box.clientWidth;
          });
          expect(overflow).toBe(0);
          const png = await page.screenshot({
            path: new URL(file, ARTIFACTS).pathname,
            fullPage: true,
          });
          expect(png.byteLength).toBeGreaterThan(5_000);
        },
        { colorScheme },
      );
    }
    expectTraceHoldsNoSecrets(lab);
  });
});
