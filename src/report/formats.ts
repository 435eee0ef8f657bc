/** The report formats `check` writes. Kept apart from the renderers: the CLI needs the names at
 * start-up, the renderers only at the end of a run. */
export const FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html', 'ocsf'] as const;
export type Format = (typeof FORMATS)[number];
