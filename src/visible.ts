/**
 * Characters a person cannot see, shown instead as `\u{202E}`: they would hide or reorder the
 * text a reviewer reads (control characters, which a terminal also obeys; zero-width and
 * bidirectional overrides, as in "Trojan Source"). Every report shows them so, and `scan` shows
 * the names it finds so; a leaf module, so that both may import it.
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

/** A code point written as visible text: `\u{1B}`. */
export function codePointText(char: string): string {
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`;
}

/** `text` with every invisible character shown as `\u{…}`. */
export function showInvisible(text: string): string {
  return text.replace(/[^ -~]/gu, (char) =>
    isInvisible(char.codePointAt(0) ?? 0) ? codePointText(char) : char,
  );
}
