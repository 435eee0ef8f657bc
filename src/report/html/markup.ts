/**
 * Safe HTML building for the HTML report: every interpolated value is escaped unless it is
 * markup this module built (`Markup`). Report strings come from the program under test (file
 * names, task names, messages quoting them), so nothing reaches the page unescaped.
 */

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

/**
 * Characters that would hide or reorder text a reviewer reads (control characters, zero-width
 * and bidirectional overrides, as in "Trojan Source"): shown as `\u{202E}` instead.
 */
function isInvisible(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0xad ||
    code === 0x61c ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff
  );
}

/** Text as it may appear in an element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[^ -~]/gu, (char) => {
      const code = char.codePointAt(0) ?? 0;
      return isInvisible(code) ? `\\u{${code.toString(16).toUpperCase()}}` : char;
    })
    .replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
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
