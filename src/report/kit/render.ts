/** What every renderer is told: ANSI colour (text only), on for a terminal unless NO_COLOR is set. */
export interface RenderOptions {
  color: boolean;
}

/**
 * Text that runs to megabytes (OCSF's JSON Lines: one event per finding of a fleet's
 * inventory), given a piece at a time and written piece by piece (`writeReports`), so the whole
 * text is never one string: making a string of megabytes, and then its bytes, costs more than
 * making its pieces.
 */
export type TextPieces = Iterable<string>;

/** What a renderer gives: text, text in pieces, or bytes for a binary format (a database). */
export type Rendered = string | TextPieces | Uint8Array;

/** A renderer of one format. */
export type Renderer<R, O extends Rendered = string> = (report: R, options: RenderOptions) => O;

/** The whole text of what a renderer gave in pieces (or whole). */
export function joinPieces(text: string | TextPieces): string {
  return typeof text === 'string' ? text : [...text].join('');
}

/**
 * One renderer per format behind one signature: `render(format, report, options)`. What it
 * gives is what that format's renderer gives: text for most, text in pieces for OCSF.
 */
export function byFormat<
  T extends Record<string, (report: never, options: RenderOptions) => Rendered>,
>(
  renderers: T,
): <F extends keyof T & string>(
  format: F,
  report: Parameters<T[F]>[0],
  options: RenderOptions,
) => ReturnType<T[F]> {
  return (format, report, options) =>
    (renderers[format] as T[typeof format])(report as never, options) as ReturnType<
      T[typeof format]
    >;
}
