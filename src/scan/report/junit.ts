import { type JunitCase, junitCounts, junitXml } from '../../report/kit/index.ts';
import { displayLocation } from '../types.ts';
import { findingLocation, findingWhat, jwtSummary, type ScanReport } from './model.ts';

/** One test case per rule (failing with one <failure> line per finding), plus skipped files. */
export function renderScanJunit(report: ScanReport): string {
  const cases = report.rules.map((rule): JunitCase => {
    const testcase = { name: rule.id, classname: 'devicebound.scan' };
    const found = report.findings.filter((f) => f.rule === rule.id);
    if (!found.length) return testcase;
    const body = found
      .map(
        (f) =>
          `${f.severity} ${findingWhat(f)} at ${findingLocation(f)}: ${f.preview} ${f.fingerprint}${jwtSummary(f) ? ` (${jwtSummary(f)})` : ''}`,
      )
      .join('\n');
    return {
      ...testcase,
      failure: {
        message: `${found.length} finding${found.length === 1 ? '' : 's'}: ${rule.description}`,
        type: rule.id,
        body,
      },
    };
  });
  const skipped = report.skipped.map(
    (item): JunitCase => ({
      name: displayLocation(item),
      classname: 'devicebound.scan.skipped',
      skipped: item.reason,
    }),
  );
  const all = [...cases, ...skipped];
  const { tests, failures } = junitCounts(all);
  const name = 'devicebound scan';
  return junitXml({ name, tests, failures, skipped: skipped.length }, [
    {
      attributes: {
        name,
        tests,
        failures,
        skipped: skipped.length,
        errors: 0,
        timestamp: report.createdAt.replace(/Z$/, ''),
      },
      cases: all,
    },
  ]);
}
