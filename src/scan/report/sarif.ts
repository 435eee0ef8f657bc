/**
 * SARIF 2.1.0 for `devicebound scan`: every rule in the driver, every finding a result at its
 * file, line and column (code points). A finding inside an archive is located at the archive
 * file, with the member path in the message and properties. Partial fingerprints are the
 * secret's own fingerprint, so a secret keeps its alert when lines move.
 */

import { resolve } from 'node:path';
import {
  fileArtifact,
  fileUri,
  pathNotifications,
  SRCROOT,
  sarifLog,
  sarifResult,
  sarifRule,
} from '../../report/kit/index.ts';
import type { ScanFinding } from '../types.ts';
import { findingWhat, jwtSummary, type ScanReport } from './model.ts';

export interface ScanSarifOptions {
  /** Repository root: paths inside it are relative to `%SRCROOT%`. Default: the current folder. */
  root?: string;
}

export function renderScanSarif(report: ScanReport, options: ScanSarifOptions = {}): string {
  const root = resolve(options.root ?? process.cwd());
  const ruleIndex = new Map(report.rules.map((rule, i) => [rule.id, i]));
  return sarifLog({
    tool: report.tool,
    rules: report.rules.map((rule) =>
      sarifRule({ ...rule, tags: ['security', 'secret'], precision: 'high' }),
    ),
    invocation: {
      passed: report.summary.passed,
      startTimeUtc: report.createdAt,
      notifications: pathNotifications(report.skipped, 'note'),
    },
    originalUriBaseIds: { [SRCROOT]: { uri: fileUri(root, { folder: true }) } },
    results: report.findings.map((finding) => result(finding, ruleIndex.get(finding.rule), root)),
    columnKind: 'unicodeCodePoints',
  });
}

function result(finding: ScanFinding, ruleIndex: number | undefined, root: string) {
  const member = finding.archivePath ? ` in ${finding.archivePath}` : '';
  const jwt = jwtSummary(finding);
  return sarifResult({
    ruleId: finding.rule,
    ruleIndex: ruleIndex ?? 0,
    severity: finding.severity,
    message: `${findingWhat(finding)}${member}: ${finding.preview} ${finding.fingerprint}${jwt ? `; ${jwt}` : ''}`,
    locations: [
      {
        physicalLocation: {
          artifactLocation: fileArtifact(resolve(finding.path), root),
          // Inside an archive the line is the member's, not the archive file's.
          region: finding.archivePath
            ? { startLine: 1 }
            : { startLine: finding.line, startColumn: finding.column },
        },
      },
    ],
    partialFingerprints: { secretFingerprint: finding.fingerprint },
    properties: {
      severity: finding.severity,
      ...(finding.archivePath !== undefined && {
        archivePath: finding.archivePath,
        memberLine: finding.line,
        memberColumn: finding.column,
      }),
      ...(finding.encoding !== undefined && { encoding: finding.encoding }),
      ...(finding.jwt !== undefined && { jwt: finding.jwt }),
    },
  });
}
