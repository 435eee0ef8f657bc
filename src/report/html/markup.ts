/**
 * Safe HTML building for the HTML report: every interpolated value is escaped unless it is
 * markup this module built (`Markup`). Report strings come from the program under test (file
 * names, task names, messages quoting them), so nothing reaches the page unescaped.
 */

import { showInvisible } from '../../visible.ts';

/** Markup that is already safe to place in a page. */
export class Markup {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

/** What may be interpolated: text (escaped), numbers, markup, lists; `null`/`false` add nothing. */
export type Content = Markup | string | number | null | undefined | false | readonly Content[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as it may appear in an element or a double-quoted attribute; invisible characters are
 * shown as `\u{202E}`, as in every report a person reads. */
export function escapeHtml(text: string): string {
  return showInvisible(text).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

function serialize(value: Content): string {
  if (value instanceof Markup) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'string') return escapeHtml(value);
  return value.map(serialize).join('');
}

/** A template tag: `html\`<p>${message}</p>\`` escapes `message`. */
export function html(strings: TemplateStringsArray, ...values: Content[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += serialize(value) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

/** Joins content with a separator (the separator is markup written here, not report data). */
export function join(items: readonly Content[], separator: string): Markup {
  return new Markup(items.map(serialize).join(separator));
}

/** A number for SVG geometry: at most one decimal, no `-0`. */
export function px(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** An id or class fragment from report text: lower case letters, digits and dashes. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'x'
  );
}
