import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junitCounts, junitXml } from './junit.ts';

describe('junitXml', () => {
  const cases = [
    { name: 'passes', classname: 'c' },
    { name: 'fails', classname: 'c', failure: { message: 'm', type: 't', body: 'a\r\nb <c>' } },
    { name: 'errs', classname: 'c', error: { message: 'e', type: 'spawn-error' } },
    { name: 'skips', classname: 'c', skipped: 'why' },
    { name: 'says', classname: 'c', systemOut: 'out' },
  ];

  it('counts cases by outcome', () => {
    expect(junitCounts(cases)).toEqual({ tests: 5, failures: 1, errors: 1, skipped: 1 });
  });

  it('writes one well-formed document, element text escaped in full', () => {
    const xml = junitXml({ name: 'n', tests: 5 }, [
      { attributes: { name: 's' }, properties: [['k', 'v']], cases },
    ]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<failure message="m" type="t">a&#13;\nb &lt;c&gt;</failure>');
    expect(xml).toContain('    <testcase name="passes" classname="c" time="0"/>');
    expect(xml).toContain('      <property name="k" value="v"/>');
    const parsed = new XMLParser({ ignoreAttributes: false, htmlEntities: true }).parse(xml);
    // The reader gets the carriage return back, not a second newline.
    expect(parsed.testsuites.testsuite.testcase[1].failure['#text']).toBe('a\r\nb <c>');
  });

  it('writes no properties element for a suite without them', () => {
    expect(junitXml({}, [{ attributes: {}, cases: [] }])).not.toContain('<properties>');
  });
});
