/**
 * The report of `devicebound scan`: findings (redacted: fingerprints and previews only), what
 * was skipped and why, the places looked at (`--host-defaults`) and a summary.
 */
import { homedir } from 'node:os';
import { fleetKey, severityRank } from '../../findings/index.ts';
import { VERSION } from '../../version.ts';
import type { PlaceStatus } from '../host-defaults.ts';
import { RULES } from '../rules/index.ts';
import type { ScanFinding, Skipped } from '../types.ts';

export interface ScanRuleMeta {
  id: string;
  description: string;
  severity: ScanFinding['severity'];
}

export interface ScanReport {
  tool: { name: 'devicebound'; version: string };
  createdAt: string;
  /** `rules`: the built-in rules; `canaries`: exact values from a canary list. */
  mode: 'rules' | 'canaries';
  rules: ScanRuleMeta[];
  findings: ScanFinding[];
  skipped: Skipped[];
  places: PlaceStatus[];
  summary: {
    passed: boolean;
    findings: number;
    /** Findings left out because the baseline knows their fingerprint. */
    suppressed: number;
    filesScanned: number;
    bytesScanned: number;
    skipped: number;
  };
}

export const CANARY_RULE: ScanRuleMeta = {
  id: 'canary',
  description: 'Detects the exact values of a canary list, in every encoding',
  severity: 'high',
};

export function buildScanReport(input: {
  mode: 'rules' | 'canaries';
  findings: ScanFinding[];
  skipped: Skipped[];
  places?: PlaceStatus[];
  suppressed?: number;
  filesScanned: number;
  bytesScanned: number;
  createdAt?: string;
}): ScanReport {
  const findings = [...input.findings].sort(
    (a, b) =>
      compare(a.path, b.path) ||
      compare(a.archivePath ?? '', b.archivePath ?? '') ||
      a.line - b.line ||
      a.column - b.column ||
      severityRank(b.severity) - severityRank(a.severity),
  );
  return {
    tool: { name: 'devicebound', version: VERSION },
    createdAt: input.createdAt ?? new Date().toISOString(),
    mode: input.mode,
    rules:
      input.mode === 'canaries'
        ? [CANARY_RULE]
        : RULES.map(({ id, description, severity }) => ({ id, description, severity })),
    findings,
    skipped: input.skipped,
    places: input.places ?? [],
    summary: {
      passed: findings.length === 0,
      findings: findings.length,
      suppressed: input.suppressed ?? 0,
      filesScanned: input.filesScanned,
      bytesScanned: input.bytesScanned,
      skipped: input.skipped.length,
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The file, and inside an archive the member: `bundle.zip!logs/app.log`. */
export function findingPlace(finding: ScanFinding): string {
  return finding.archivePath ? `${finding.path}!${finding.archivePath}` : finding.path;
}

/** `rule at path!member:line:column` pieces shared by the renderers. */
export function findingLocation(finding: ScanFinding): string {
  return `${findingPlace(finding)}:${finding.line}:${finding.column}`;
}

/**
 * The finding's fleet key (findings/fleet.ts): its rule and place, the home as `~`, the same on
 * every host with the same leak.
 */
export function scanFleetKey(finding: ScanFinding): string {
  const home = homedir().replace(/\/+$/, '');
  const path = findingPlace(finding);
  const place = home !== '' && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
  return fleetKey({ source: 'scan', rule: finding.rule, place });
}

/** One line about a JWT's claims (never the token). */
export function jwtSummary(finding: ScanFinding): string | undefined {
  const jwt = finding.jwt;
  if (!jwt) return undefined;
  const aud = Array.isArray(jwt.aud) ? jwt.aud.join(',') : jwt.aud;
  const state = jwt.valid === null ? 'no expiry' : jwt.valid ? 'still valid' : 'expired';
  return `JWT iss=${jwt.iss ?? '-'} aud=${aud ?? '-'} exp=${jwt.exp ?? '-'} (${state})`;
}

/** What the finding is, in words: rule, encoding, canary kind. */
export function findingWhat(finding: ScanFinding): string {
  const parts = [finding.rule];
  if (finding.kind) parts.push(finding.kind);
  if (finding.encoding && finding.encoding !== 'raw') parts.push(`as ${finding.encoding}`);
  return parts.join(' ');
}
