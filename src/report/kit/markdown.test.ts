import { describe, expect, it } from 'vitest';
import { codeText, escapeMarkdown, markdownTable } from './markdown.ts';

describe('escapeMarkdown', () => {
  it.each([
    ['plain text', 'plain text'],
    ['a|b', 'a\\|b'],
    ['`code`', '\\`code\\`'],
    ['*bold* _it_ ~strike~', '\\*bold\\* \\_it\\_ \\~strike\\~'],
    ['<script>alert(1)</script>', '\\<script\\>alert(1)\\</script\\>'],
    ['[a](b) ![c](d)', '\\[a\\](b) !\\[c\\](d)'],
    ['&amp; &#64;', '\\&amp; \\&#64;'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines\r\n', 'two lines '],
    ['esc\u001b[31mred', 'esc \\[31mred'],
    ['@user and a@b.c', '@\u200buser and a@\u200bb.c'],
    // Text that would reorder itself on the page (a right-to-left override) is shown instead.
    ['invoice\u202Egnp.exe', 'invoice\\u{202E}gnp.exe'],
    ['c1\u009bcsi', 'c1\\u{9B}csi'],
  ])('%j → %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });

  it('leaves code spans to fixes written with them', () => {
    expect(escapeMarkdown('set `session: reuse`', { code: true })).toBe('set `session: reuse`');
  });
});

describe('codeText', () => {
  it('cannot end the code span it is in, nor break the line', () => {
    expect(codeText('a`b\nc\u001bd')).toBe('a b c d');
  });
});

describe('markdownTable', () => {
  it('writes the header, the alignment row and the rows', () => {
    expect(
      markdownTable(
        ['Name', { title: 'Size', align: 'right' }],
        [
          ['a', '1'],
          ['', '2'],
        ],
      ),
    ).toEqual(['| Name | Size |', '| --- | ---: |', '| a | 1 |', '|  | 2 |']);
  });

  it('keeps a code cell inside its code span and its table cell', () => {
    // A file name from disk: a backtick would end the span, a pipe the cell.
    const [, , row] = markdownTable(['File'], [[{ code: '~/we|ird`<b>.json' }]]);
    expect(row).toBe('| `~/we\\|ird <b>.json` |');
  });
});
