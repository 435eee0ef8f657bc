import { type ScanReport, scanFleetKey } from './model.ts';

/**
 * The report as JSON: the same fields as `ScanReport`, stable, each finding with its v2
 * `fleetKey` (rule and place, the home as `~`: the same on every host with the same leak).
 */
export function renderScanJson(report: ScanReport): string {
  const findings = report.findings.map((finding) => ({
    ...finding,
    fleetKey: scanFleetKey(finding),
  }));
  return `${JSON.stringify({ ...report, findings }, null, 2)}\n`;
}
