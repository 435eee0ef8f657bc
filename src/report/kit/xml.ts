/**
 * XML 1.0 text and attribute values, escaped once for every XML report (the JUnit of check,
 * scan and inventory).
 */
import { codePointText } from '../../visible.ts';

/**
 * Characters XML 1.0 cannot hold at all (C0 controls other than tab, newline and carriage
 * return; lone surrogates; U+FFFE and U+FFFF) are written as a visible `\u{…}`.
 */
export function xmlSafe(value: string): string {
  return value.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it replaces
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g,
    codePointText,
  );
}

/**
 * Element text: `&`, `<` and `>` escaped (so `]]>` cannot appear), CR kept as a reference (a
 * parser would turn a literal CR into a newline).
 */
export function xmlText(value: string): string {
  return xmlSafe(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/** An attribute value in double quotes; tab and newline as character references, so
 * attribute-value normalisation does not turn them into spaces. */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/** ` name="value"` for each entry, in order. */
export function xmlAttributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');
}
