/**
 * The SARIF 2.1.0 report, shaped for GitHub code scanning: every check is a rule (all of them,
 * always), every finding a result at the policy line of its task, with the files a credential
 * was found in as related locations, and fingerprints that stay the same from run to run.
 */

import { createHash } from 'node:crypto';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { CHECK_IDS, checks } from '../checks/index.ts';
import { displayPath } from '../checks/storage.ts';
import type { CheckMeta, EvidenceItem, Finding } from '../checks/types.ts';
import type { HitLocation, JudgedTask, RootName } from '../evidence/model.ts';
import type { Report } from './model.ts';
import { SARIF_LEVELS, SARIF_SECURITY_SEVERITY } from './sarif-severity.ts';

export interface SarifOptions {
  /**
   * The repository root (`%SRCROOT%`): locations are made relative to it, and relative paths in
   * the report (a policy file given as `--policy ci/devicebound.yaml`) are taken as relative to
   * it. Default: the current directory, where CI runs devicebound.
   */
  root?: string;
}

/** critical/high → error, medium → warning, low/info → note. */
/** What the standards' short names stand for (DESIGN.md), for the rules' help. */
const STANDARD_TITLES: Record<string, string> = {
  'NHI2:2025': 'OWASP NHI Top 10: Secret Leakage',
  'NHI5:2025': 'OWASP NHI Top 10: Overprivileged NHI',
  'NHI7:2025': 'OWASP NHI Top 10: Long-Lived Secrets',
  'NHI9:2025': 'OWASP NHI Top 10: NHI Reuse',
  'CSF PR.AA-01': 'NIST CSF 2.0: credentials are managed',
  'CSF PR.AA-05': 'NIST CSF 2.0: least privilege',
  'CSF PR.DS-01': 'NIST CSF 2.0: data at rest is protected',
  'CSF PR.PS-04': 'NIST CSF 2.0: log records',
  'OAuth 2.1 §4.3': 'OAuth 2.1 (draft): refresh tokens',
};

const SRCROOT = '%SRCROOT%';

/** The sandbox roots as `uriBaseId`s: real folders of the run, removed after it. */
const SANDBOX_ROOTS: readonly RootName[] = [
  'HOME',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'TMPDIR',
];

/** Where a working directory outside the repository is (its files are not repository files). */
const OUTSIDE_CWD = 'CWD';

export function renderSarif(report: Report, options: SarifOptions = {}): string {
  const root = resolve(options.root ?? process.cwd());
  const tasks = new Map(report.evidence.policy.tasks.map((task) => [task.name, task]));
  const results = report.findings.map((finding) => result(finding, tasks.get(finding.task), root));
  const usedBases = new Set(
    results.flatMap((r) =>
      [...r.locations, ...(r.relatedLocations ?? [])].map(
        (location) => location.physicalLocation.artifactLocation.uriBaseId,
      ),
    ),
  );
  const exitCode = report.summary.passed ? (report.summary.inconclusive ? 3 : 0) : 1;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: CHECK_IDS.map((id) => rule(checks[id].meta)),
          },
        },
        automationDetails: { id: `${category(report, root)}/${report.createdAt}` },
        invocations: [
          {
            executionSuccessful: !report.summary.inconclusive,
            exitCode,
            startTimeUtc: report.createdAt,
            ...notifications(report),
          },
        ],
        originalUriBaseIds: baseDescriptions(usedBases),
        results,
        columnKind: 'utf16CodeUnits',
        properties: { failOn: report.policy.failOn, passed: report.summary.passed },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
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
  const level = SARIF_LEVELS[meta.severity];
  const securitySeverity = SARIF_SECURITY_SEVERITY[meta.severity];
  const standards = meta.standards.map((standard) => {
    const title = STANDARD_TITLES[standard];
    return title ? `${standard} (${title})` : standard;
  });
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.description },
    fullDescription: {
      text: `${meta.description}. Severity ${meta.severity}; maps to ${meta.standards.join(', ')}.`,
    },
    defaultConfiguration: { level },
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
    properties: {
      tags: ['security', ...meta.standards],
      precision: 'high',
      ...(securitySeverity !== undefined && { 'security-severity': securitySeverity }),
    },
  };
}

/** `RFC 8628 §3.5` links to its section at the RFC Editor; the others are named only. */
function standardMarkdown(standard: string): string {
  const rfc = /^RFC (\d+) §(\d+(?:\.\d+)*)$/.exec(standard);
  if (rfc)
    return `[${standard}](https://www.rfc-editor.org/rfc/rfc${rfc[1]}.html#section-${rfc[2]})`;
  const title = STANDARD_TITLES[standard];
  return title ? `${standard}: ${title}` : standard;
}

interface PhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string };
  region?: { startLine: number };
}
interface SarifLocation {
  id?: number;
  physicalLocation: PhysicalLocation;
  message?: { text: string };
}

function result(finding: Finding, task: JudgedTask | undefined, root: string) {
  const related = relatedLocations(finding.evidence, task, root);
  const primary = primaryLocation(finding, task, root, related);
  return {
    ruleId: finding.check,
    ruleIndex: CHECK_IDS.indexOf(finding.check),
    level: SARIF_LEVELS[finding.severity],
    message: { text: `${finding.task} (${finding.scenario}): ${finding.message}` },
    locations: [primary],
    ...(related.length > 0 && { relatedLocations: related }),
    partialFingerprints: fingerprints(finding),
    properties: {
      task: finding.task,
      scenario: finding.scenario,
      severity: finding.severity,
      evidence: finding.evidence.map((item) => item.summary),
    },
  };
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
): SarifLocation {
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
): { uri: string; uriBaseId: string } {
  if (location.root !== 'cwd') return { uri: uriOf(location.path), uriBaseId: location.root };
  const inRepository = task && repositoryPath(`${task.cwd}/${location.path}`, root);
  return inRepository
    ? { uri: inRepository, uriBaseId: SRCROOT }
    : { uri: uriOf(location.path), uriBaseId: OUTSIDE_CWD };
}

/** The path relative to the repository root as a URI reference, or undefined outside it. */
function repositoryPath(path: string, root: string): string | undefined {
  const inside = relative(root, resolve(root, path));
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  return uriOf(inside.split(sep).join('/'));
}

function uriOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
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
  const anchors = [
    ...new Set(finding.evidence.map((item) => `${item.kind ?? ''}@${anchorOf(item.location)}`)),
  ].sort();
  const hash = createHash('sha256')
    .update([finding.check, finding.task, finding.scenario, ...anchors].join('\0'))
    .digest('hex');
  return { 'devicebound/v1': hash, primaryLocationLineHash: `${hash.slice(0, 16)}:1` };
}

function anchorOf(location: HitLocation | undefined): string {
  if (!location) return '';
  if (location.type === 'stream') return location.stream;
  return displayPath(location.root, location.path);
}

function notifications(report: Report) {
  const warnings = report.scenarios.flatMap((scenario) => {
    const at = `${scenario.task} (${scenario.scenario})`;
    if (scenario.spawnError) return [`${at}: the program could not start: ${scenario.spawnError}`];
    if (scenario.noLabContact)
      return [`${at}: no request reached the lab; does the program read DEVICEBOUND_ISSUER?`];
    return [];
  });
  const notes = report.evidence.runs.flatMap((run) =>
    [...new Set(run.notes)].map((note) => `${run.task} (${run.scenario}): ${note}`),
  );
  const list = [
    ...warnings.map((text) => ({ level: 'warning', message: { text } })),
    ...notes.map((text) => ({ level: 'note', message: { text } })),
  ];
  return list.length > 0 ? { toolExecutionNotifications: list } : {};
}

function baseDescriptions(used: Set<string>) {
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

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
