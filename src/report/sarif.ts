/**
 * The SARIF 2.1.0 report, shaped for GitHub code scanning: every check is a rule (all of them,
 * always), every finding a result at the policy line of its task, with the files a credential
 * was found in as related locations, and fingerprints that stay the same from run to run.
 */

import { basename, resolve } from 'node:path';
import { CHECK_IDS, checks } from '../checks/index.ts';
import type { CheckMeta, EvidenceItem, Finding } from '../checks/types.ts';
import { type HitLocation, type JudgedTask, ROOT_NAMES, type RootName } from '../evidence/model.ts';
import {
  relativeUri,
  repositoryUri,
  type SarifArtifact,
  type SarifLocation,
  type SarifNotification,
  SRCROOT,
  sarifLog,
  sarifResult,
  sarifRule,
} from './kit/index.ts';
import { findingIdentity, noContactReason, type Report } from './model.ts';

export interface SarifOptions {
  /**
   * The repository root (`%SRCROOT%`): locations are made relative to it, and relative paths in
   * the report (a policy file given as `--policy ci/devicebound.yaml`) are taken as relative to
   * it. Default: the current directory, where CI runs devicebound.
   */
  root?: string;
}

/** What the standards' short names stand for (DESIGN.md), for the rules' help. */
const STANDARD_TITLES: Record<string, string> = {
  'NHI2:2025': 'OWASP NHI Top 10: Secret Leakage',
  'NHI5:2025': 'OWASP NHI Top 10: Overprivileged NHI',
  'NHI7:2025': 'OWASP NHI Top 10: Long-Lived Secrets',
  'NHI9:2025': 'OWASP NHI Top 10: NHI Reuse',
  'CSF PR.AA-01': 'NIST CSF 2.0: credentials are managed',
  'CSF PR.AA-05': 'NIST CSF 2.0: least privilege',
  'CSF PR.DS-01': 'NIST CSF 2.0: data at rest is protected',
  'CSF PR.DS-02': 'NIST CSF 2.0: data in transit is protected',
  'CSF DE.CM-01': 'NIST CSF 2.0: networks and network services are monitored',
  'CSF PR.PS-04': 'NIST CSF 2.0: log records',
  'OAuth 2.1 §4.3': 'OAuth 2.1 (draft): refresh tokens',
};

/** The sandbox roots as `uriBaseId`s: real folders of the run, removed after it. */
const SANDBOX_ROOTS: readonly RootName[] = ROOT_NAMES.filter((name) => name !== 'cwd');

/** Where a working directory outside the repository is (its files are not repository files). */
const OUTSIDE_CWD = 'CWD';

export function renderSarif(report: Report, options: SarifOptions = {}): string {
  const root = resolve(options.root ?? process.cwd());
  const tasks = new Map(report.evidence.policy.tasks.map((task) => [task.name, task]));
  const results = report.findings.map((finding) =>
    result(finding, tasks.get(finding.task), root, captureEntryOf(report, finding)),
  );
  const usedBases = new Set(
    results.flatMap((r) =>
      [...r.locations, ...(r.relatedLocations ?? [])].map(
        (location) => location.physicalLocation.artifactLocation.uriBaseId,
      ),
    ),
  );
  return sarifLog({
    tool: report.tool,
    rules: CHECK_IDS.map((id) => rule(checks[id].meta)),
    automationId: `${category(report, root)}/${report.createdAt}`,
    invocation: {
      passed: report.summary.passed,
      inconclusive: report.summary.inconclusive,
      startTimeUtc: report.createdAt,
      notifications: notifications(report),
    },
    originalUriBaseIds: baseDescriptions(usedBases),
    results,
    columnKind: 'utf16CodeUnits',
    properties: { failOn: report.policy.failOn, passed: report.summary.passed },
  });
}

/**
 * GitHub's analysis category (`id` up to its last `/`): one per policy file, so that two
 * policies checked in one workflow do not overwrite each other's alerts, and adding a task to
 * a policy does not strand the alerts of the old category. Without a file: the task names.
 */
function category(report: Report, root: string): string {
  const source = report.policy.source;
  if (source) return `devicebound/${repositoryPath(source, root) ?? basename(source)}`;
  return `devicebound/${[...new Set(report.evidence.policy.tasks.map((t) => t.name))].sort().join(',')}`;
}

function rule(meta: CheckMeta) {
  const standards = meta.standards.map((standard) => {
    const title = STANDARD_TITLES[standard];
    return title ? `${standard} (${title})` : standard;
  });
  return sarifRule({
    id: meta.id,
    description: meta.description,
    fullDescription: `${meta.description}. Severity ${meta.severity}; maps to ${meta.standards.join(', ')}.`,
    severity: meta.severity,
    help: {
      text: `${meta.fix}\n\nStandards: ${standards.join('; ')}.`,
      markdown: [
        `**Fix:** ${meta.fix}`,
        '',
        '**Standards:**',
        '',
        ...meta.standards.map((standard) => `- ${standardMarkdown(standard)}`),
      ].join('\n'),
    },
    tags: ['security', ...meta.standards],
    precision: 'high',
  });
}

/** `RFC 8628 §3.5` links to its section at the RFC Editor; the others are named only. */
function standardMarkdown(standard: string): string {
  const rfc = /^RFC (\d+) §(\d+(?:\.\d+)*)$/.exec(standard);
  if (rfc)
    return `[${standard}](https://www.rfc-editor.org/rfc/rfc${rfc[1]}.html#section-${rfc[2]})`;
  const title = STANDARD_TITLES[standard];
  return title ? `${standard}: ${title}` : standard;
}

/**
 * For a finding on a capture (`analyze`): the capture entry its first evidence points at, with
 * its line in the capture file.
 */
function captureEntryOf(
  report: Report,
  finding: Finding,
): { file: string; index: number; line: number } | undefined {
  const run = report.evidence.runs.find(
    (candidate) => candidate.task === finding.task && candidate.scenario === finding.scenario,
  );
  if (!run) return undefined;
  for (const item of finding.evidence) {
    const event = run.events.find((candidate) => candidate.seq === item.seq);
    if (event?.type === 'request' && event.entry) return event.entry;
  }
  return undefined;
}

function result(
  finding: Finding,
  task: JudgedTask | undefined,
  root: string,
  entry?: { file: string; index: number; line: number },
) {
  const related = relatedLocations(finding.evidence, task, root);
  return sarifResult({
    ruleId: finding.check,
    ruleIndex: CHECK_IDS.indexOf(finding.check),
    severity: finding.severity,
    message: `${finding.task} (${finding.scenario}): ${finding.message}`,
    locations: [primaryLocation(finding, task, root, related, entry)],
    relatedLocations: related,
    partialFingerprints: fingerprints(finding),
    properties: {
      task: finding.task,
      scenario: finding.scenario,
      severity: finding.severity,
      evidence: finding.evidence.map((item) => item.summary),
    },
  });
}

/**
 * GitHub code scanning refuses the whole file when one result has no physical location, so
 * every result gets one, the best there is:
 * 1. the line of the policy file where the task is defined;
 * 2. a file in the repository the credential was found in (the working directory's files);
 * 3. the program under test, when its command names a file in the repository;
 * 4. the policy file a run without one would have read, `devicebound.yaml`, at line 1, saying so.
 */
function primaryLocation(
  finding: Finding,
  task: JudgedTask | undefined,
  root: string,
  related: SarifLocation[],
  entry?: { file: string; index: number; line: number },
): SarifLocation {
  // A finding on a capture (analyze) is at the entry it is about, in the capture file.
  const captureFile = entry && repositoryPath(entry.file, root);
  if (entry && captureFile) {
    return {
      physicalLocation: {
        artifactLocation: { uri: captureFile, uriBaseId: SRCROOT },
        region: { startLine: entry.line },
      },
      message: { text: `log.entries[${entry.index}] of the capture` },
    };
  }
  const policyFile = task?.source && repositoryPath(task.source.file, root);
  if (task?.source && policyFile) {
    return {
      physicalLocation: {
        artifactLocation: { uri: policyFile, uriBaseId: SRCROOT },
        region: { startLine: task.source.line },
      },
      message: { text: `task '${finding.task}' of the policy` },
    };
  }
  const repositoryFile = related.find(
    (location) => location.physicalLocation.artifactLocation.uriBaseId === SRCROOT,
  );
  if (repositoryFile) {
    return {
      physicalLocation: {
        artifactLocation: repositoryFile.physicalLocation.artifactLocation,
        region: { startLine: 1 },
      },
      ...(repositoryFile.message && { message: repositoryFile.message }),
    };
  }
  const program = task && programFile(task, root);
  if (program) {
    return {
      physicalLocation: {
        artifactLocation: { uri: program, uriBaseId: SRCROOT },
        region: { startLine: 1 },
      },
      message: { text: `the program under test (task '${finding.task}' has no policy file)` },
    };
  }
  return {
    physicalLocation: {
      artifactLocation: { uri: 'devicebound.yaml', uriBaseId: SRCROOT },
      region: { startLine: 1 },
    },
    message: {
      text: `no policy file: task '${finding.task}' was given on the command line; a devicebound.yaml gives each finding the line of its task`,
    },
  };
}

/** One location per file a credential was found in: repository files against `%SRCROOT%`,
 * sandbox files against their sandbox folder (which is not part of the repository). */
function relatedLocations(
  evidence: EvidenceItem[],
  task: JudgedTask | undefined,
  root: string,
): SarifLocation[] {
  const byFile = new Map<string, { location: FileLocation; summaries: string[] }>();
  for (const item of evidence) {
    if (item.location?.type !== 'file') continue;
    const key = `${item.location.root}\0${item.location.path}`;
    const entry = byFile.get(key) ?? { location: item.location, summaries: [] };
    if (!entry.summaries.includes(item.summary)) entry.summaries.push(item.summary);
    byFile.set(key, entry);
  }
  return [...byFile.values()].map(({ location, summaries }, i) => ({
    id: i + 1,
    physicalLocation: { artifactLocation: artifactOf(location, task, root) },
    message: {
      text:
        summaries.length > 3
          ? `${summaries.slice(0, 3).join('; ')}; and ${summaries.length - 3} more`
          : summaries.join('; '),
    },
  }));
}

type FileLocation = Extract<HitLocation, { type: 'file' }>;

function artifactOf(
  location: FileLocation,
  task: JudgedTask | undefined,
  root: string,
): SarifArtifact {
  if (location.root !== 'cwd') return { uri: relativeUri(location.path), uriBaseId: location.root };
  const inRepository = task && repositoryPath(`${task.cwd}/${location.path}`, root);
  return inRepository
    ? { uri: inRepository, uriBaseId: SRCROOT }
    : { uri: relativeUri(location.path), uriBaseId: OUTSIDE_CWD };
}

/** A path of the policy (relative to the repository root when relative) as a URI reference. */
function repositoryPath(path: string, root: string): string | undefined {
  return repositoryUri(resolve(root, path), root);
}

/** The first argument of the command that is a path to a file in the repository, if any. */
function programFile(task: JudgedTask, root: string): string | undefined {
  for (const arg of task.run) {
    if (arg.startsWith('-') || !arg.includes('/') || /^[a-z][a-z0-9+.-]*:/i.test(arg)) continue;
    const path = repositoryPath(resolve(task.cwd, arg), root);
    if (path) return path;
  }
  return undefined;
}

/**
 * Stable across runs of the same program: the check, task, scenario and where the evidence
 * was (credential kinds, files, streams). Not the canaries' fingerprints, which are new random
 * values in every run, nor times, lines or byte offsets, which move with timing and output.
 * `primaryLocationLineHash` is the one GitHub reads; without it, GitHub would hash the policy
 * line and fold every scenario's result for a task and check into one alert.
 */
function fingerprints(finding: Finding): Record<string, string> {
  const hash = findingIdentity(finding);
  return { 'devicebound/v1': hash, primaryLocationLineHash: `${hash.slice(0, 16)}:1` };
}

function notifications(report: Report): SarifNotification[] {
  const warnings = report.scenarios.flatMap((scenario) => {
    const at = `${scenario.task} (${scenario.scenario})`;
    if (scenario.spawnError) return [`${at}: the program could not start: ${scenario.spawnError}`];
    if (scenario.noLabContact)
      return [`${at}: no request reached the lab; ${noContactReason(scenario)}`];
    return [];
  });
  const notes = report.evidence.runs.flatMap((run) =>
    [...new Set(run.notes)].map((note) => `${run.task} (${run.scenario}): ${note}`),
  );
  return [
    ...warnings.map((text) => ({ level: 'warning' as const, message: { text } })),
    ...notes.map((text) => ({ level: 'note' as const, message: { text } })),
  ];
}

function baseDescriptions(used: Set<string | undefined>) {
  const bases: Record<string, { description: { text: string } }> = {
    [SRCROOT]: { description: { text: 'The root of the repository the checks were run in.' } },
  };
  for (const name of SANDBOX_ROOTS) {
    if (!used.has(name)) continue;
    bases[name] = {
      description: {
        text: `The sandbox's ${name} of the scenario: a temporary folder, not part of the repository, removed after the run.`,
      },
    };
  }
  if (used.has(OUTSIDE_CWD)) {
    bases[OUTSIDE_CWD] = {
      description: { text: "The task's working directory, outside the repository." },
    };
  }
  return bases;
}
