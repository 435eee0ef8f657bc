import { renderJson } from './json.ts';
import type { Report } from './model.ts';
import { renderText } from './text.ts';

export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  /** ANSI colour (text only): on for a terminal unless NO_COLOR is set. */
  color: boolean;
}

/** One renderer per format, behind one signature. */
const RENDERERS: Record<Format, (report: Report, options: RenderOptions) => string> = {
  text: renderText,
  json: renderJson,
};

export function render(format: Format, report: Report, options: RenderOptions): string {
  return RENDERERS[format](report, options);
}
