import type { Format } from './formats.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { byFormat, type Rendered, type Renderer } from './kit/index.ts';
import { renderMarkdown } from './markdown.ts';
import type { Report } from './model.ts';
import { renderOcsf } from './ocsf.ts';
import { renderSarif } from './sarif.ts';
import { renderText } from './text.ts';

export { FORMATS, type Format } from './formats.ts';
export type { RenderOptions } from './kit/index.ts';

/** Renders a report of `check` in any of its formats. */
export const render = byFormat({
  text: renderText,
  json: renderJson,
  sarif: (report) => renderSarif(report),
  junit: renderJunit,
  markdown: renderMarkdown,
  html: renderHtml,
  ocsf: renderOcsf,
} satisfies Record<Format, Renderer<Report, Rendered>>);
