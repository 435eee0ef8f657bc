// The JUnit XML report: valid against the JUnit schema Jenkins validates with, one suite per
// task, one case per scenario and check, and every string escaped so any text survives.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { goldenReport } from '../../test/fixtures/report/report.ts';
import { checksFor } from '../checks/index.ts';
import type { Finding } from '../checks/types.ts';
import { isFailing } from '../findings/index.ts';
import { renderJunit } from './junit.ts';
import type { Report } from './model.ts';

const XSD = readFileSync(
  fileURLToPath(new URL('../../test/fixtures/report/junit-10.xsd', import.meta.url)),
  'utf8',
);

/** libxml2's verdict: well-formed XML 1.0 (no stray control characters) and valid. */
async function expectValid(xml: string): Promise<void> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [XSD],
  });
  expect(result.errors.map((error) => error.rawMessage)).toEqual([]);
  expect(result.valid).toBe(true);
}

interface Testcase {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; '#text': string };
  error?: { message: string; type: string };
  skipped?: { message: string };
  'system-out'?: string;
}
interface Testsuite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  timestamp: string;
  properties: { property: { name: string; value: string }[] };
  testcase: Testcase[];
}
interface Parsed {
  testsuites: {
    name: string;
    tests: string;
    failures: string;
    errors: string;
    time: string;
    testsuite: Testsuite[];
  };
}

function parse(xml: string): Parsed {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    htmlEntities: true,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  }).parse(xml) as Parsed;
}

const suitesOf = (report: Report) => parse(renderJunit(report)).testsuites.testsuite;

describe('the JUnit report', () => {
  it('is valid against the JUnit schema', async () => {
    await expectValid(renderJunit(goldenReport()));
  });

  it('the schema check catches what a reader would refuse', async () => {
    const xml = renderJunit(goldenReport());
    const result = await validateXML({
      xml: [{ fileName: 'bad.xml', contents: xml.replace('<testcase ', '<testcase bogus="1" ') }],
      schema: [XSD],
    });
    expect(result.valid).toBe(false);
  });

  it('has one suite per task and one case per scenario and check, in order', () => {
    const report = goldenReport();
    const suites = suitesOf(report);
    expect(suites.map((suite) => suite.name)).toEqual(['login', 'sync']);
    for (const suite of suites) {
      const scenarios = report.scenarios.filter((s) => s.task === suite.name);
      expect(suite.testcase.map((c) => [c.classname, c.name])).toEqual(
        scenarios.flatMap((s) =>
          checksFor(s).map((id) => [`devicebound.${s.task}.${s.scenario}`, id]),
        ),
      );
      expect(suite.tests).toBe(`${scenarios.reduce((sum, s) => sum + checksFor(s).length, 0)}`);
      expect(suite.time).toBe(
        (scenarios.reduce((sum, s) => sum + s.durationMs, 0) / 1000).toFixed(3),
      );
      expect(suite.timestamp).toBe(report.createdAt.slice(0, 19));
    }
  });

  it('fails the cases of findings at or above fail_on, and only those', () => {
    const report = goldenReport();
    const xml = parse(renderJunit(report));
    const failing = report.findings.filter((f) => isFailing(f, report.policy.failOn));
    expect(xml.testsuites.failures).toBe(`${failing.length}`);
    expect(xml.testsuites.tests).toBe(
      `${report.scenarios.reduce((sum, s) => sum + checksFor(s).length, 0)}`,
    );
    const failed = xml.testsuites.testsuite.flatMap((suite) =>
      suite.testcase.filter((c) => c.failure).map((c) => `${c.classname} ${c.name}`),
    );
    expect(failed).toEqual(failing.map((f) => `devicebound.${f.task}.${f.scenario} ${f.check}`));
    for (const suite of xml.testsuites.testsuite)
      expect(suite.failures).toBe(`${suite.testcase.filter((c) => c.failure).length}`);
  });

  it('puts the message, evidence, standards and fix of a failure in it', () => {
    const report = goldenReport();
    const finding = report.findings.find(
      (f) => f.check === 'secret-at-rest' && f.task === 'sync' && f.scenario === 'approve',
    ) as Finding;
    const testcase = suitesOf(report)
      .find((s) => s.name === 'sync')
      ?.testcase.find(
        (c) => c.classname === 'devicebound.sync.approve' && c.name === 'secret-at-rest',
      );
    expect(testcase?.failure?.message).toBe(finding.message);
    expect(testcase?.failure?.type).toBe('secret-at-rest');
    const body = testcase?.failure?.['#text'] ?? '';
    expect(body).toContain('severity: critical');
    expect(body).toContain(`standards: ${finding.standards.join(', ')}`);
    for (const item of finding.evidence) {
      expect(body).toContain(item.summary);
      expect(body).toContain(item.fingerprint);
    }
    expect(body).toContain(`fix: ${finding.fix}`);
  });

  it('reports a finding below fail_on in system-out and lets the case pass', () => {
    const testcase = suitesOf(goldenReport())[0]?.testcase[0];
    expect(testcase?.name).toBe('poll-interval');
    expect(testcase?.failure).toBeUndefined();
    expect(testcase?.['system-out']).toMatch(/^medium finding below fail_on high: polled 0\.6 s/);
  });

  it("records each scenario's exit code, duration and timeout as suite properties", () => {
    const report = goldenReport();
    const properties = Object.fromEntries(
      (suitesOf(report)[1]?.properties.property ?? []).map((p) => [p.name, p.value]),
    );
    expect(properties).toMatchObject({
      failOn: 'high',
      policy: 'test/fixtures/report/devicebound.yaml',
      'approve.exitCode': '0',
      'deny.exitCode': '1',
      'session.exitCode': '0',
      'deny.timedOut': 'false',
    });
    expect(properties['approve.durationMs']).toBe(
      `${report.scenarios.find((s) => s.task === 'sync' && s.scenario === 'approve')?.durationMs}`,
    );
  });

  it('a program that could not start: errors; one that never reached the lab: skipped', async () => {
    const report = goldenReport();
    const [approve, deny] = report.scenarios;
    if (!approve || !deny) throw new Error('fixture changed');
    approve.spawnError = 'spawn my-cli ENOENT';
    approve.exitCode = null;
    deny.noLabContact = true;
    const xml = renderJunit(report);
    await expectValid(xml);
    const login = parse(xml).testsuites.testsuite[0] as Testsuite;
    const cases = (scenario: string) =>
      login.testcase.filter((c) => c.classname === `devicebound.login.${scenario}`);
    // poll-interval has a finding (below fail_on) in both: every other check has nothing to judge.
    const others = checksFor({ scenario: 'approve' }).length - 1;
    expect(cases('approve').filter((c) => c.error)).toHaveLength(others);
    expect(cases('approve')[1]?.error).toEqual({
      message: 'the program could not start: spawn my-cli ENOENT',
      type: 'spawn-error',
    });
    expect(cases('deny').filter((c) => c.skipped)).toHaveLength(others);
    expect(login.errors).toBe(`${others}`);
    expect(login.skipped).toBe(`${others}`);
    const properties = Object.fromEntries(login.properties.property.map((p) => [p.name, p.value]));
    expect(properties['approve.exitCode']).toBe('none');
    expect(properties['approve.spawnError']).toBe('spawn my-cli ENOENT');
  });
});

describe('escaping', () => {
  /** A finding whose message and evidence hold everything XML cannot take as it is. */
  function hostile(text: string): Report {
    const report = goldenReport();
    const finding = report.findings.find((f) => f.check === 'excess-scope') as Finding;
    finding.message = text;
    finding.evidence = [{ summary: text }];
    return report;
  }
  const failureOf = (report: Report) =>
    suitesOf(report)
      .flatMap((suite) => suite.testcase)
      .find((c) => c.failure?.type === 'excess-scope')?.failure;

  it('markup characters and quotes round-trip through attributes and text', async () => {
    const text = `a <b> & "c" 'd' ]]> </failure><x y="z">`;
    const report = hostile(text);
    await expectValid(renderJunit(report));
    expect(failureOf(report)?.message).toBe(text);
    expect(failureOf(report)?.['#text']).toContain(`  - ${text}`);
  });

  it('line breaks and tabs survive in attributes', async () => {
    const text = 'line 1\nline 2\r\n\tindented';
    const report = hostile(text);
    await expectValid(renderJunit(report));
    expect(failureOf(report)?.message).toBe(text);
    expect(failureOf(report)?.['#text']).toContain(`  - ${text}`);
  });

  it('characters XML 1.0 cannot hold are written visibly instead', async () => {
    const text = 'nul\u0000 bell\u0007 esc\u001b[31m lone\ud800 end\uffff ok\u{1f600}';
    const report = hostile(text);
    await expectValid(renderJunit(report));
    expect(failureOf(report)?.message).toBe(
      // The visible form every report uses (terminal, HTML, scan's names).
      'nul\\u{0} bell\\u{7} esc\\u{1B}[31m lone\\u{D800} end\\u{FFFF} ok\u{1f600}',
    );
  });
});
