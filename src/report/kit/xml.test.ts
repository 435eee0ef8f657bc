import { describe, expect, it } from 'vitest';
import { xmlAttribute, xmlAttributes, xmlSafe, xmlText } from './xml.ts';

describe('XML escaping', () => {
  it('escapes element text, keeping a carriage return as a reference', () => {
    // A literal CR would reach the reader as a newline (XML end-of-line handling).
    expect(xmlText('a & <b> ]]> c\r\nd')).toBe('a &amp; &lt;b&gt; ]]&gt; c&#13;\nd');
  });

  it('escapes attribute values, keeping tab and newline as references', () => {
    expect(xmlAttribute('say "hi"\tnow\r\n')).toBe('say &quot;hi&quot;&#9;now&#13;&#10;');
    expect(xmlAttributes({ name: 'a<b', n: 1 })).toBe(' name="a&lt;b" n="1"');
  });

  it('writes what XML 1.0 cannot hold visibly, and keeps the rest', () => {
    expect(xmlSafe('nul\u0000 esc\u001b lone\ud800 end\uffff tab\t ok\u{1f600}')).toBe(
      'nul\\u{0} esc\\u{1B} lone\\u{D800} end\\u{FFFF} tab\t ok\u{1f600}',
    );
  });
});
