import type { Format } from './formats.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './model.ts';
import { renderSarif } from './sarif.ts';
import { renderText } from './text.ts';

export { FORMATS, type Format } from './formats.ts';

export interface RenderOptions {
  /** ANSI colour (text only): on for a terminal unless NO_COLOR is set. */
  color: boolean;
}

/** One renderer per format, behind one signature. */
const RENDERERS: Record<Format, (report: Report, options: RenderOptions) => string> = {
  text: renderText,
  json: renderJson,
  sarif: (report) => renderSarif(report),
  junit: renderJunit,
  markdown: renderMarkdown,
  html: renderHtml,
};

export function render(format: Format, report: Report, options: RenderOptions): string {
  return RENDERERS[format](report, options);
}
