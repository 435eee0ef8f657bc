import { displayLocation } from '../types.ts';
import { findingLocation, findingWhat, jwtSummary, type ScanReport } from './model.ts';

export interface ScanTextOptions {
  color: boolean;
}

const SEVERITY_COLOR: Record<string, string> = {
  critical: '\u001b[35m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};

export function renderScanText(report: ScanReport, options: ScanTextOptions): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}\u001b[0m` : text);
  const lines: string[] = [];
  if (report.places.length) {
    lines.push('Places looked at:');
    for (const place of report.places)
      lines.push(
        `  ${place.status === 'scanned' ? 'scanned' : 'absent '}  ${place.label}: ${place.path}`,
      );
    lines.push('');
  }
  for (const finding of report.findings) {
    const severity = paint(SEVERITY_COLOR[finding.severity] ?? '', finding.severity.toUpperCase());
    lines.push(`${severity} ${findingWhat(finding)} at ${findingLocation(finding)}`);
    lines.push(`  ${finding.preview}  ${finding.fingerprint}`);
    const jwt = jwtSummary(finding);
    if (jwt) lines.push(`  ${jwt}`);
  }
  if (report.skipped.length) {
    if (report.findings.length) lines.push('');
    lines.push('Skipped:');
    for (const item of report.skipped) lines.push(`  ${displayLocation(item)}: ${item.reason}`);
  }
  const s = report.summary;
  if (lines.length) lines.push('');
  lines.push(
    `${s.findings} finding${s.findings === 1 ? '' : 's'}${s.suppressed ? ` (${s.suppressed} suppressed by the baseline)` : ''} in ${s.filesScanned} file${s.filesScanned === 1 ? '' : 's'} (${s.bytesScanned} bytes); ${s.skipped} skipped`,
  );
  return `${lines.join('\n')}\n`;
}
