import { xmlSafe } from '../../report/junit.ts';
import { displayLocation } from '../types.ts';
import { findingLocation, findingWhat, jwtSummary, type ScanReport } from './model.ts';

/** One test case per rule (failing with one <failure> line per finding), plus skipped files. */
export function renderScanJunit(report: ScanReport): string {
  const cases: string[] = [];
  let failures = 0;
  for (const rule of report.rules) {
    const found = report.findings.filter((f) => f.rule === rule.id);
    if (!found.length) {
      cases.push(`    <testcase classname="devicebound.scan" name="${attr(rule.id)}" time="0"/>`);
      continue;
    }
    failures++;
    const body = found
      .map(
        (f) =>
          `${f.severity} ${findingWhat(f)} at ${findingLocation(f)}: ${f.preview} ${f.fingerprint}${jwtSummary(f) ? ` (${jwtSummary(f)})` : ''}`,
      )
      .join('\n');
    cases.push(
      `    <testcase classname="devicebound.scan" name="${attr(rule.id)}" time="0">\n      <failure message="${attr(`${found.length} finding${found.length === 1 ? '' : 's'}: ${rule.description}`)}" type="${attr(rule.id)}">${text(body)}</failure>\n    </testcase>`,
    );
  }
  const skipped = report.skipped.map(
    (item) =>
      `    <testcase classname="devicebound.scan.skipped" name="${attr(displayLocation(item))}" time="0">\n      <skipped message="${attr(item.reason)}"/>\n    </testcase>`,
  );
  const tests = cases.length + skipped.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="devicebound scan" tests="${tests}" failures="${failures}" skipped="${skipped.length}">`,
    `  <testsuite name="devicebound scan" tests="${tests}" failures="${failures}" skipped="${skipped.length}" errors="0" timestamp="${attr(report.createdAt.replace(/Z$/, ''))}">`,
    ...cases,
    ...skipped,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function text(value: string): string {
  return xmlSafe(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
