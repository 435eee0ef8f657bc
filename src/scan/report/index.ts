import { byFormat, type Rendered, type Renderer } from '../../report/kit/index.ts';
import { renderScanJson } from './json.ts';
import { renderScanJunit } from './junit.ts';
import { renderScanMarkdown } from './markdown.ts';
import type { ScanReport } from './model.ts';
import { renderScanOcsf } from './ocsf.ts';
import { renderScanSarif } from './sarif.ts';
import { renderScanText } from './text.ts';

export const SCAN_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'ocsf'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** Renders a report of `scan` in any of its formats. */
export const renderScan = byFormat({
  text: renderScanText,
  json: renderScanJson,
  sarif: (report) => renderScanSarif(report),
  junit: renderScanJunit,
  markdown: renderScanMarkdown,
  ocsf: renderScanOcsf,
} satisfies Record<ScanFormat, Renderer<ScanReport, Rendered>>);

export { buildScanReport, type ScanReport } from './model.ts';
