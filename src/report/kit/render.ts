/** What every renderer is told: ANSI colour (text only), on for a terminal unless NO_COLOR is set. */
export interface RenderOptions {
  color: boolean;
}

export type Renderer<R> = (report: R, options: RenderOptions) => string;

/** One renderer per format behind one signature: `render(format, report, options)`. */
export function byFormat<F extends string, R>(
  renderers: Record<F, Renderer<R>>,
): (format: F, report: R, options: RenderOptions) => string {
  return (format, report, options) => renderers[format](report, options);
}
