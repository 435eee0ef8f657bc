/**
 * The SARIF 2.1.0 envelope, written once for every command and shaped for GitHub code
 * scanning: the log and its one run, rules from a command's metadata (name, levels and
 * `security-severity` from the severity), results, and file locations as URIs. A command says
 * what its rules and results are; the builder writes the rest the same way for all.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SARIF_LEVELS, SARIF_SECURITY_SEVERITY, type Severity } from '../../findings/index.ts';

export type SarifLevel = 'error' | 'warning' | 'note';

/** The repository root as a `uriBaseId`: GitHub resolves it to the checkout. */
export const SRCROOT = '%SRCROOT%';

/** What a rule is, in a command's own metadata (a check, a scan rule, a detector). */
export interface SarifRuleMeta {
  id: string;
  /** Default: the id in PascalCase. */
  name?: string;
  description: string;
  fullDescription?: string;
  /** Gives the rule's level and `security-severity`; without it the level is `warning`. */
  severity?: Severity;
  help?: { text: string; markdown?: string };
  tags: readonly string[];
  precision?: 'very-high' | 'high' | 'medium' | 'low';
}

export function sarifRule(meta: SarifRuleMeta) {
  const securitySeverity = meta.severity && SARIF_SECURITY_SEVERITY[meta.severity];
  return {
    id: meta.id,
    name: meta.name ?? pascalCase(meta.id),
    shortDescription: { text: meta.description },
    ...(meta.fullDescription !== undefined && { fullDescription: { text: meta.fullDescription } }),
    defaultConfiguration: { level: meta.severity ? SARIF_LEVELS[meta.severity] : 'warning' },
    ...(meta.help && { help: meta.help }),
    properties: {
      tags: meta.tags,
      ...(meta.precision && { precision: meta.precision }),
      ...(securitySeverity !== undefined && { 'security-severity': securitySeverity }),
    },
  };
}

/** `poll-interval` → `PollInterval`: SARIF rule names are identifiers. */
export function pascalCase(id: string): string {
  return id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export interface SarifArtifact {
  uri: string;
  uriBaseId?: string;
}

export interface SarifLocation {
  id?: number;
  physicalLocation: {
    artifactLocation: SarifArtifact;
    region?: { startLine: number; startColumn?: number };
  };
  message?: { text: string };
}

export interface SarifResultInput {
  ruleId: string;
  ruleIndex: number;
  severity: Severity;
  message: string;
  /** GitHub refuses a whole file when one result has no physical location: give one. */
  locations: [SarifLocation, ...SarifLocation[]];
  relatedLocations?: SarifLocation[];
  /** The result's identity across runs, so an alert stays one alert. */
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

export function sarifResult(input: SarifResultInput) {
  return {
    ruleId: input.ruleId,
    ruleIndex: input.ruleIndex,
    level: SARIF_LEVELS[input.severity],
    message: { text: input.message },
    locations: input.locations,
    ...(input.relatedLocations &&
      input.relatedLocations.length > 0 && { relatedLocations: input.relatedLocations }),
    partialFingerprints: input.partialFingerprints,
    properties: input.properties,
  };
}

export interface SarifNotification {
  level: SarifLevel;
  message: { text: string };
  locations?: SarifLocation[];
}

/**
 * What could not be read or judged, one notification each (`path: reason`): scan's skipped
 * files, inventory's problems. With `locate`, each names its file as a location too.
 */
export function pathNotifications(
  items: readonly { path: string; reason: string }[],
  level: SarifLevel,
  locate?: (path: string) => SarifLocation,
): SarifNotification[] {
  return items.map((item) => ({
    level,
    message: { text: `${item.path}: ${item.reason}` },
    ...(locate && { locations: [locate(item.path)] }),
  }));
}

export interface SarifRun {
  tool: { name: string; version: string };
  rules: readonly ReturnType<typeof sarifRule>[];
  /** GitHub's analysis category up to its last `/`, then what tells the runs apart. */
  automationId?: string;
  invocation: {
    /** No finding at or above `fail_on`. */
    passed: boolean;
    /** Nothing could be judged (no request reached the lab): exit code 3, not a success. */
    inconclusive?: boolean;
    startTimeUtc: string;
    /** Written when there is at least one. */
    notifications?: readonly SarifNotification[];
  };
  originalUriBaseIds?: Record<string, { uri?: string; description?: { text: string } }>;
  results: readonly ReturnType<typeof sarifResult>[];
  columnKind: 'utf16CodeUnits' | 'unicodeCodePoints';
  properties?: Record<string, unknown>;
}

/** The whole log: one run, as JSON with a final newline. */
export function sarifLog(run: SarifRun): string {
  const { invocation } = run;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: run.tool.name,
            version: run.tool.version,
            semanticVersion: run.tool.version,
            rules: run.rules,
          },
        },
        ...(run.automationId !== undefined && { automationDetails: { id: run.automationId } }),
        invocations: [
          {
            executionSuccessful: !invocation.inconclusive,
            exitCode: exitCodeOf(invocation),
            startTimeUtc: invocation.startTimeUtc,
            ...(invocation.notifications &&
              invocation.notifications.length > 0 && {
                toolExecutionNotifications: invocation.notifications,
              }),
          },
        ],
        ...(run.originalUriBaseIds && { originalUriBaseIds: run.originalUriBaseIds }),
        results: run.results,
        columnKind: run.columnKind,
        ...(run.properties && { properties: run.properties }),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** DESIGN.md's exit codes: 1 for findings, 3 when nothing was judged, else 0. */
function exitCodeOf(invocation: { passed: boolean; inconclusive?: boolean }): 0 | 1 | 3 {
  if (!invocation.passed) return 1;
  return invocation.inconclusive ? 3 : 0;
}

/** A path relative to a base as a URI reference: each segment percent-encoded. */
export function relativeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** An absolute path as a `file://` URI (a folder with its final `/`). */
export function fileUri(path: string, options: { folder?: boolean } = {}): string {
  const uri = pathToFileURL(path).href;
  return options.folder && !uri.endsWith('/') ? `${uri}/` : uri;
}

/** An absolute path relative to the repository root, as a URI reference; undefined outside it. */
export function repositoryUri(absolute: string, root: string): string | undefined {
  const inside = relative(root, absolute);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  return relativeUri(inside.split(sep).join('/'));
}

/** A file as SARIF names it: against `%SRCROOT%` inside the repository, else a `file://` URI. */
export function fileArtifact(absolute: string, root: string): SarifArtifact {
  const inRepository = repositoryUri(absolute, root);
  return inRepository !== undefined
    ? { uri: inRepository, uriBaseId: SRCROOT }
    : { uri: fileUri(absolute) };
}
