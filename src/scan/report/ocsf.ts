// `scan --format ocsf`: one OCSF Detection Finding per secret found, as JSON Lines (report/kit/
// ocsf.ts says why that class). The file (and the archive member) is the resource; the fleet
// key is the rule and the path, with the home shown as `~`, so the same leak on many hosts
// groups as one.
import { homedir, hostname } from 'node:os';
import { fleetKey } from '../../findings/index.ts';
import { type OcsfFinding, ocsfLines } from '../../report/kit/ocsf.ts';
import type { ScanFinding } from '../types.ts';
import { findingWhat, type ScanReport } from './model.ts';

export function renderScanOcsf(report: ScanReport): string {
  const time = Date.parse(report.createdAt);
  const rules = new Map(report.rules.map((rule) => [rule.id, rule]));
  const findings = report.findings.map(
    (finding): OcsfFinding => ({
      uid: finding.fingerprint,
      rule: finding.rule,
      ruleDescription: rules.get(finding.rule)?.description ?? finding.rule,
      title: `${findingWhat(finding)} in ${where(finding)}`,
      desc: `${findingWhat(finding)} at ${where(finding)}:${finding.line}:${finding.column} (${finding.preview} ${finding.fingerprint})`,
      severity: finding.severity,
      types: ['secret', ...(finding.kind ? [`credential:${finding.kind}`] : [])],
      resources: [
        {
          type: finding.archivePath === undefined ? 'file' : 'archive member',
          name: where(finding),
          data: { path: finding.path, line: finding.line, column: finding.column },
        },
      ],
      fleetKey: scanFleetKey(finding),
      unmapped: {
        fingerprint: finding.fingerprint,
        preview: finding.preview,
        ...(finding.encoding !== undefined && { encoding: finding.encoding }),
        ...(finding.kind !== undefined && { kind: finding.kind }),
      },
      time,
    }),
  );
  return ocsfLines(findings, {
    command: 'scan',
    version: report.tool.version,
    hostname: hostname(),
  });
}

function where(finding: ScanFinding): string {
  return finding.archivePath === undefined
    ? finding.path
    : `${finding.path}!${finding.archivePath}`;
}

/** The rule and the place, the home as `~`: the same on every host with the same leak. */
export function scanFleetKey(finding: ScanFinding): string {
  const home = homedir().replace(/\/+$/, '');
  const path = where(finding);
  const place = home !== '' && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
  return fleetKey({ source: 'scan', rule: finding.rule, place });
}
