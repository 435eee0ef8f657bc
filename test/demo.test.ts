// `devicebound demo`: the main job on its embedded default, as a newcomer runs it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from './cli.ts';

it('checks the two sample CLIs in every scenario, prints both verdicts, writes the HTML report, exits 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'devicebound-demo-test-'));
  try {
    const output = join(dir, 'devicebound-report.html');
    const done = await runCli(['demo', '--output', output]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^\s+good-cli\s+leaky-cli$/m);
    for (const scenario of [
      'approve',
      'deny',
      'expire',
      'slow-down',
      'server-error',
      'session',
      'fault',
    ]) {
      expect(done.stdout).toMatch(new RegExp(`^  ${scenario}\\s+✓ inside the boundary\\s+✗ `, 'm'));
    }
    expect(done.stdout).toMatch(/verdict\s+PASS: no findings\s+FAIL: \d+ findings/);
    for (const check of [
      'poll-interval',
      'poll-slow-down',
      'excess-scope',
      'secret-at-rest',
      'secret-in-output',
    ]) {
      expect(done.stdout).toContain(`● ${check}`);
    }
    expect(done.stdout).toContain(
      `The full report, with a polling timeline per scenario: ${output}`,
    );
    const html = await readFile(output, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('id="timeline-leaky-cli-approve"');
    // The leaky sample prints its device code and stores its tokens: none of it may show here.
    for (const text of [done.stdout, done.stderr, html]) {
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\./);
      expect(text).not.toMatch(/dbrt_[A-Za-z0-9_-]{20,}/);
      expect(text).not.toMatch(/device_code=[A-Za-z0-9_-]{20,}/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
