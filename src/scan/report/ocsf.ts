// `scan --format ocsf`: one OCSF Detection Finding per secret found, as JSON Lines (report/kit/
// ocsf.ts says why that class). The file (and the archive member) is the resource; the fleet
// key is the rule and the path, with the home shown as `~`, so the same leak on many hosts
// groups as one.
import { hostname } from 'node:os';
import type { TextPieces } from '../../report/kit/index.ts';
import { type OcsfFinding, ocsfPieces } from '../../report/kit/ocsf.ts';
import {
  findingLocation,
  findingPlace,
  findingWhat,
  type ScanReport,
  scanFleetKey,
} from './model.ts';

export function renderScanOcsf(report: ScanReport): TextPieces {
  const time = Date.parse(report.createdAt);
  const rules = new Map(report.rules.map((rule) => [rule.id, rule]));
  const findings = report.findings.map(
    (finding): OcsfFinding => ({
      uid: finding.fingerprint,
      rule: finding.rule,
      ruleDescription: rules.get(finding.rule)?.description ?? finding.rule,
      title: `${findingWhat(finding)} in ${findingPlace(finding)}`,
      desc: `${findingWhat(finding)} at ${findingLocation(finding)} (${finding.preview} ${finding.fingerprint})`,
      severity: finding.severity,
      types: ['secret', ...(finding.kind ? [`credential:${finding.kind}`] : [])],
      resources: [
        {
          type: finding.archivePath === undefined ? 'file' : 'archive member',
          name: findingPlace(finding),
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
  return ocsfPieces(findings, {
    command: 'scan',
    version: report.tool.version,
    hostname: hostname(),
  });
}
