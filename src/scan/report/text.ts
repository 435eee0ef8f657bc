import {
  painter,
  type RenderOptions,
  SEVERITY_STYLE,
  terminalText,
} from '../../report/kit/index.ts';
import { displayLocation } from '../types.ts';
import { findingLocation, findingWhat, jwtSummary, type ScanReport } from './model.ts';

/**
 * The terminal report. File names and reasons were made safe to print where they were found
 * (`safeText`); a JWT's claims are the token's own text, made safe here.
 */
export function renderScanText(report: ScanReport, options: RenderOptions): string {
  const paint = painter(options.color);
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
    const severity = paint(SEVERITY_STYLE[finding.severity], finding.severity.toUpperCase());
    lines.push(`${severity} ${findingWhat(finding)} at ${findingLocation(finding)}`);
    lines.push(`  ${finding.preview}  ${finding.fingerprint}`);
    const jwt = jwtSummary(finding);
    if (jwt) lines.push(`  ${terminalText(jwt)}`);
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
