// Regenerates docs/report.png and docs/timeline.png, the README's pictures of the HTML report:
//   node src/cli/run.ts demo --output /tmp/devicebound-report.html && node scripts/screenshot-report.ts /tmp/devicebound-report.html
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/browser.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: node scripts/screenshot-report.ts REPORT.html');
const browser = await launchChromium();
try {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 1600 },
    deviceScaleFactor: 1,
  });
  await page.goto(pathToFileURL(file).href);
  await page.screenshot({
    path: new URL('../docs/report.png', import.meta.url).pathname,
    fullPage: false,
  });
  // The leaky sample's server-error scenario: early polls, a 503, a dropped connection.
  await page
    .locator('#timeline-leaky-cli-server-error')
    .screenshot({ path: new URL('../docs/timeline.png', import.meta.url).pathname });
} finally {
  await browser.close();
}
