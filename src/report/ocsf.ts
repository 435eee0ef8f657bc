// `check --format ocsf`: one OCSF Detection Finding per finding, as JSON Lines (report/kit/ocsf.ts
// says why that class). The program is the resource, with the sandbox files a finding names.
import { hostname } from 'node:os';
import { checks } from '../checks/index.ts';
import type { Finding } from '../checks/types.ts';
import { displayPath } from '../evidence/paths.ts';
import { fleetKey } from '../findings/index.ts';
import type { TextPieces } from './kit/index.ts';
import { type OcsfFinding, type OcsfResource, ocsfPieces } from './kit/ocsf.ts';
import { commandText, findingIdentity, type Report } from './model.ts';

export function renderOcsf(report: Report): TextPieces {
  const time = Date.parse(report.createdAt);
  const tasks = new Map(report.evidence.policy.tasks.map((task) => [task.name, task]));
  const findings = report.findings.map((finding): OcsfFinding => {
    const task = tasks.get(finding.task);
    const command = task ? commandText(task) : finding.task;
    const files = [
      ...new Set(
        finding.evidence.flatMap((item) =>
          item.location?.type === 'file'
            ? [displayPath(item.location.root, item.location.path)]
            : [],
        ),
      ),
    ];
    const resources: OcsfResource[] = [
      { type: 'program', name: command, uid: finding.task, data: { scenario: finding.scenario } },
      ...files.map((file) => ({ type: 'file', name: file })),
    ];
    return {
      uid: findingIdentity(finding),
      rule: finding.check,
      ruleDescription: checks[finding.check].meta.description,
      title: `${finding.check} (${finding.task}, ${finding.scenario})`,
      desc: finding.message,
      severity: finding.severity,
      types: [...finding.standards],
      resources,
      fleetKey: fleetKey({
        source: 'check',
        rule: finding.check,
        tool: finding.task,
        place: finding.scenario,
      }),
      fix: finding.fix,
      unmapped: { credentials: credentialsOf(finding) },
      time,
    };
  });
  return ocsfPieces(findings, {
    command: 'check',
    version: report.tool.version,
    hostname: hostname(),
  });
}

/** Kinds, previews and fingerprints of the credentials a finding's evidence names. */
function credentialsOf(finding: Finding) {
  const seen = new Map<string, { kind?: string; preview?: string; fingerprint: string }>();
  for (const item of finding.evidence) {
    if (!item.fingerprint || seen.has(item.fingerprint)) continue;
    seen.set(item.fingerprint, {
      ...(item.kind !== undefined && { kind: item.kind }),
      ...(item.preview !== undefined && { preview: item.preview }),
      fingerprint: item.fingerprint,
    });
  }
  return [...seen.values()];
}
