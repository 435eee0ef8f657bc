import { describe, expect, it } from 'vitest';
import { painter, SEVERITY_STYLE, terminalText } from './terminal.ts';

describe('terminal palette', () => {
  it('paints only when asked, and styles nest', () => {
    expect(painter(false)('red', 'x')).toBe('x');
    const paint = painter(true);
    expect(paint('red', paint('bold', 'x'))).toBe('\x1b[31m\x1b[1mx\x1b[22m\x1b[39m');
  });

  it('gives every severity one colour, critical red as high', () => {
    // Scan painted critical magenta while check and inventory painted it red.
    expect(SEVERITY_STYLE).toEqual({
      critical: 'red',
      high: 'red',
      medium: 'yellow',
      low: 'cyan',
      info: 'dim',
    });
  });
});

describe('terminalText', () => {
  it('shows, never sends, escape sequences and other invisible characters', () => {
    // A file named like this must not recolour the report or hide what follows it.
    expect(terminalText('a\u001b[2Jb\u009b31m\rc\u202Ed\u200Be')).toBe(
      'a\\u{1B}[2Jb\\u{9B}31m\\u{D}c\\u{202E}d\\u{200B}e',
    );
    expect(terminalText('plain ünïcode ✓')).toBe('plain ünïcode ✓');
  });
});
