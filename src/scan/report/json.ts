import type { ScanReport } from './model.ts';

/** The report as JSON: the same fields as `ScanReport`, stable. */
export function renderScanJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
