/** What every renderer is told: ANSI colour (text only), on for a terminal unless NO_COLOR is set. */
export interface RenderOptions {
  color: boolean;
}

/** A renderer gives text, or bytes for a binary format (a database). */
export type Renderer<R, O extends string | Uint8Array = string> = (
  report: R,
  options: RenderOptions,
) => O;

/** One renderer per format behind one signature: `render(format, report, options)`. */
export function byFormat<F extends string, R, O extends string | Uint8Array = string>(
  renderers: Record<F, Renderer<R, O>>,
): (format: F, report: R, options: RenderOptions) => O {
  return (format, report, options) => renderers[format](report, options);
}
