import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../evidence/secret.ts';
import { renderScanJunit } from './junit.ts';
import { buildScanReport } from './model.ts';

describe('scan JUnit', () => {
  it('keeps a carriage return in a failure as a reference, as every report does', () => {
    // A JWT's claims are the token's own text: an issuer may hold a CR.
    const report = buildScanReport({
      mode: 'rules',
      findings: [
        {
          rule: 'jwt',
          severity: 'high',
          line: 1,
          column: 1,
          fingerprint: fingerprint('x'),
          preview: 'eyJh…(99 chars)…abc',
          jwt: { iss: 'https://a\r\nb', aud: null, exp: null, valid: null },
          path: 'a.log',
        },
      ],
      skipped: [{ path: 'big.bin', reason: 'too big' }],
      filesScanned: 1,
      bytesScanned: 1,
      createdAt: '2026-01-15T09:30:00.000Z',
    });
    const xml = renderScanJunit(report);
    expect(xml).toContain('(JWT iss=https://a&#13;\nb aud=- exp=- (no expiry))</failure>');
    const parsed = new XMLParser({ ignoreAttributes: false, htmlEntities: true }).parse(xml);
    expect(parsed.testsuites['@_skipped']).toBe('1');
  });
});
