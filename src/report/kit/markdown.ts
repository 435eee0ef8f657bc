/**
 * Markdown for CI step summaries and pull-request comments, escaped once for every command.
 * Report text comes from the program under test and from disk (file names, account labels), so
 * nothing reaches a summary as markup it did not mean.
 */
import { showInvisible } from '../../visible.ts';

/**
 * Text that renders as itself anywhere but at the start of a line: the characters that start
 * emphasis, code, links, HTML, entities, strikethrough and table cells (`|`) backslash-escaped,
 * line breaks and control characters as spaces, other invisible characters shown as `\u{…}`,
 * and `@name` kept from becoming a mention (a zero-width space after the `@`). With `code`,
 * backticks are left to make code spans.
 */
export function escapeMarkdown(text: string, options: { code?: boolean } = {}): string {
  return showInvisible(
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(options.code ? /[\\*_[\]<>|~&]/g : /[\\`*_[\]<>|~&]/g, '\\$&'),
  ).replace(/@(?=\w)/g, '@\u200b');
}

/**
 * Text for inside a single-backtick code span, which takes no escapes: backticks, line breaks
 * and control characters as spaces, other invisible characters shown as `\u{…}`.
 */
export function codeText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  return showInvisible(text.replace(/[`\u0000-\u001f\u007f]/g, ' '));
}

/** A table column: its title, and `right` for numbers. */
export type MarkdownColumn = string | { title: string; align: 'right' };

/** A cell: Markdown already escaped (`escapeMarkdown`), or `{ code }`, raw text shown as code. */
export type MarkdownCell = string | { code: string };

/**
 * A GitHub table: the header, the alignment row and one row per entry. A `|` inside a code
 * cell is escaped too, as a table needs even inside code spans.
 */
export function markdownTable(
  columns: readonly MarkdownColumn[],
  rows: readonly (readonly MarkdownCell[])[],
): string[] {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(columns.map((column) => (typeof column === 'string' ? column : column.title))),
    row(columns.map((column) => (typeof column === 'string' ? '---' : '---:'))),
    ...rows.map((cells) =>
      row(
        cells.map((cell) =>
          typeof cell === 'string' ? cell : `\`${codeText(cell.code).replace(/\|/g, '\\|')}\``,
        ),
      ),
    ),
  ];
}
