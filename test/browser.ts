// Debian's Chromium driven by playwright-core: the one way the project launches a browser
// (tests and scripts/screenshot-report.ts). No browser download: the flags keep Chromium off the
// network, which this machine does not have anyway.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** For a suite's title when it is skipped. */
export const NO_CHROMIUM = HAVE_CHROMIUM
  ? ''
  : ` (skipped: ${CHROMIUM} not found; install Debian's chromium package)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}
