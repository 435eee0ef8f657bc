/**
 * The JUnit XML envelope, written once for every command: the XML declaration, `<testsuites>`,
 * one `<testsuite>` with its properties per suite, and test cases whose `<failure>`, `<error>`,
 * `<skipped>` and `<system-out>` are escaped the same way everywhere. A command says which
 * suites and cases it has; the builder writes them.
 */
import { xmlAttributes, xmlText } from './xml.ts';

export interface JunitCase {
  name: string;
  classname: string;
  /** A finding at or above `fail_on`: its message, type and the details as element text. */
  failure?: { message: string; type: string; body?: string };
  /** The test could not run (the program did not start, a file could not be read). */
  error?: { message: string; type: string };
  /** Why the case was not judged. */
  skipped?: string;
  systemOut?: string;
}

export interface JunitSuite {
  /** The `<testsuite>` attributes, in order (counts from `junitCounts`). */
  attributes: Record<string, string | number>;
  /** `<properties>`, written when given (even when empty). */
  properties?: readonly (readonly [name: string, value: string])[];
  cases: readonly JunitCase[];
}

/** How many cases there are, and how many fail, error or were skipped. */
export function junitCounts(cases: readonly JunitCase[]): {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
} {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    errors: cases.filter((c) => c.error).length,
    skipped: cases.filter((c) => c.skipped !== undefined).length,
  };
}

/** The whole document: `<testsuites>` with `attributes`, then every suite. */
export function junitXml(
  attributes: Record<string, string | number>,
  suites: readonly JunitSuite[],
): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${xmlAttributes(attributes)}>`,
  ];
  for (const suite of suites) {
    lines.push(`  <testsuite${xmlAttributes(suite.attributes)}>`);
    if (suite.properties) {
      lines.push('    <properties>');
      for (const [name, value] of suite.properties)
        lines.push(`      <property${xmlAttributes({ name, value })}/>`);
      lines.push('    </properties>');
    }
    for (const testcase of suite.cases) lines.push(...caseLines(testcase));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function caseLines(testcase: JunitCase): string[] {
  const open = `    <testcase${xmlAttributes({ name: testcase.name, classname: testcase.classname, time: '0' })}`;
  const children: string[] = [];
  const { failure, error, skipped, systemOut } = testcase;
  if (failure) {
    const attributes = xmlAttributes({ message: failure.message, type: failure.type });
    children.push(
      failure.body === undefined
        ? `      <failure${attributes}/>`
        : `      <failure${attributes}>${xmlText(failure.body)}</failure>`,
    );
  }
  if (error)
    children.push(`      <error${xmlAttributes({ message: error.message, type: error.type })}/>`);
  if (skipped !== undefined)
    children.push(`      <skipped${xmlAttributes({ message: skipped })}/>`);
  if (systemOut !== undefined)
    children.push(`      <system-out>${xmlText(systemOut)}</system-out>`);
  if (children.length === 0) return [`${open}/>`];
  return [`${open}>`, ...children, '    </testcase>'];
}
