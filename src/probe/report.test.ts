import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { finding } from './checks.ts';
import { renderProbe } from './report.ts';
import type { ProbeReport } from './run.ts';

const schema = JSON.parse(
  readFileSync(
    new URL('../../test/fixtures/report/sarif-schema-2.1.0.json', import.meta.url),
    'utf8',
  ),
) as object;
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
formats.default(ajv);
const validate = ajv.compile(schema);

const report: ProbeReport = {
  tool: { name: 'devicebound', version: '0.1.0' },
  createdAt: '2026-12-05T12:00:00.000Z',
  issuer: 'https://idp.example',
  failOn: 'low',
  maxRequests: 30,
  requests: [
    {
      n: 1,
      step: 'discovery',
      method: 'GET',
      url: 'https://idp.example/x',
      status: 200,
      outcome: 'ok',
      ms: 3,
    },
  ],
  findings: [
    finding('server-reusable-device-code', 'the device_code was redeemed a <second> time | twice', [
      '#9 POST https://idp.example/token → HTTP 200 (tokens)',
    ]),
    finding('server-verification-uri-complete', 'offered', []),
  ],
  passed: ['server-issuer-mismatch'],
  notRun: [{ check: 'server-no-rate-limit', why: 'only with --allow-brute-force-test N' }],
  facts: ['user codes: 8 characters of base-20'],
  summary: {
    passed: false,
    findings: 2,
    bySeverity: { info: 1, low: 0, medium: 0, high: 1, critical: 0 },
  },
};

describe('probe reports', () => {
  it('SARIF 2.1.0 that validates, one rule per server check, located at the metadata', () => {
    const log = JSON.parse(renderProbe('sarif', report, { color: false }));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].tool.driver.rules).toHaveLength(19);
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual([
      'server-reusable-device-code',
      'server-verification-uri-complete',
    ]);
    expect(log.runs[0].invocations[0].exitCode).toBe(1);
  });

  it('JUnit: a failure for a finding at or above fail_on, skipped with why, well-formed XML', () => {
    const xml = renderProbe('junit', report, { color: false });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/<testcase name="server-reusable-device-code"[^>]*>\s*<failure/);
    expect(xml).toMatch(
      /<testcase name="server-no-rate-limit"[^>]*>\s*<skipped message="only with/,
    );
    expect(xml).toContain('&lt;second&gt;');
  });

  it('Markdown escapes what the server said; text shows the verdict first', () => {
    const markdown = renderProbe('markdown', report, { color: false });
    expect(markdown).toContain('\\<second\\> time \\| twice');
    const text = renderProbe('text', report, { color: false });
    expect(text.split('\n')[0]).toBe('FAIL  https://idp.example: 1 finding at or above low');
  });
});
