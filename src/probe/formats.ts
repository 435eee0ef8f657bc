/** `probe --format`: what its reports come in (the CLI reads this without loading them). */
export const PROBE_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const;
export type ProbeFormat = (typeof PROBE_FORMATS)[number];
