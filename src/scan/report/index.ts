import { renderScanJson } from './json.ts';
import { renderScanJunit } from './junit.ts';
import { renderScanMarkdown } from './markdown.ts';
import type { ScanReport } from './model.ts';
import { renderScanSarif } from './sarif.ts';
import { renderScanText } from './text.ts';

export const SCAN_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

const RENDERERS: Record<ScanFormat, (report: ScanReport, options: { color: boolean }) => string> = {
  text: renderScanText,
  json: renderScanJson,
  sarif: (report) => renderScanSarif(report),
  junit: renderScanJunit,
  markdown: renderScanMarkdown,
};

export function renderScan(
  format: ScanFormat,
  report: ScanReport,
  options: { color: boolean },
): string {
  return RENDERERS[format](report, options);
}

export { buildScanReport, type ScanReport } from './model.ts';
