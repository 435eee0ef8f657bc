/**
 * The terminal reports' colours and escaping. One palette for every command: a severity has the
 * same colour in `check`, `scan` and `inventory` (critical and high red, medium yellow, low
 * cyan, info dim). Each style closes with its own code, so styles nest.
 */
import type { Severity } from '../../findings/index.ts';
import { showInvisible } from '../../visible.ts';

const CODES = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
} as const;
export type Style = keyof typeof CODES;

export const SEVERITY_STYLE: Record<Severity, Style> = {
  critical: 'red',
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  info: 'dim',
};

export type Paint = (style: Style, text: string) => string;

/** Paints text in a style, or leaves it plain without colour (`NO_COLOR`, not a terminal). */
export function painter(color: boolean): Paint {
  return color
    ? (style, text) => `\x1b[${CODES[style][0]}m${text}\x1b[${CODES[style][1]}m`
    : (_style, text) => text;
}

/**
 * Text we did not write (file names, labels, messages that quote them) made safe for a terminal:
 * an escape sequence in a file name must not recolour, move or hide the report around it.
 */
export function terminalText(text: string): string {
  return showInvisible(text);
}
