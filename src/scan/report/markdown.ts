import { escapeMarkdown, markdownTable } from '../../report/kit/index.ts';
import { displayLocation } from '../types.ts';
import { findingLocation, findingWhat, jwtSummary, type ScanReport } from './model.ts';

/** For CI step summaries. */
export function renderScanMarkdown(report: ScanReport): string {
  const s = report.summary;
  const out: string[] = [
    `## devicebound scan: ${s.passed ? 'no secrets found' : `${s.findings} finding${s.findings === 1 ? '' : 's'}`}`,
    '',
    `${s.filesScanned} files (${s.bytesScanned} bytes) scanned, ${s.skipped} skipped${s.suppressed ? `, ${s.suppressed} findings suppressed by the baseline` : ''}.`,
    '',
  ];
  if (report.findings.length) {
    out.push(
      ...markdownTable(
        ['Severity', 'Rule', 'Location', 'Preview', 'Fingerprint', 'JWT'],
        report.findings.map((f) => [
          f.severity,
          escapeMarkdown(findingWhat(f)),
          escapeMarkdown(findingLocation(f)),
          escapeMarkdown(f.preview),
          { code: f.fingerprint },
          escapeMarkdown(jwtSummary(f) ?? ''),
        ]),
      ),
    );
    out.push('');
  }
  if (report.places.length) {
    out.push('### Places looked at', '');
    for (const p of report.places)
      out.push(`- ${p.status}: ${escapeMarkdown(p.label)} (${escapeMarkdown(p.path)})`);
    out.push('');
  }
  if (report.skipped.length) {
    out.push('### Skipped', '');
    for (const item of report.skipped)
      out.push(`- ${escapeMarkdown(displayLocation(item))}: ${escapeMarkdown(item.reason)}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
