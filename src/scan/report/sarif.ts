/**
 * SARIF 2.1.0 for `devicebound scan`: every rule in the driver, every finding a result at its
 * file, line and column (code points). A finding inside an archive is located at the archive
 * file, with the member path in the message and properties. Partial fingerprints are the
 * secret's own fingerprint, so a secret keeps its alert when lines move.
 */

import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SARIF_LEVELS, SARIF_SECURITY_SEVERITY } from '../../report/sarif-severity.ts';
import { findingWhat, jwtSummary, type ScanReport } from './model.ts';

export interface ScanSarifOptions {
  /** Repository root: paths inside it are relative to `%SRCROOT%`. Default: the current folder. */
  root?: string;
}

export function renderScanSarif(report: ScanReport, options: ScanSarifOptions = {}): string {
  const root = resolve(options.root ?? process.cwd());
  const ruleIndex = new Map(report.rules.map((rule, i) => [rule.id, i]));
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
            rules: report.rules.map((rule) => {
              const security = SARIF_SECURITY_SEVERITY[rule.severity];
              return {
                id: rule.id,
                name: rule.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
                shortDescription: { text: rule.description },
                defaultConfiguration: { level: SARIF_LEVELS[rule.severity] },
                properties: {
                  tags: ['security', 'secret'],
                  precision: 'high',
                  ...(security !== undefined && { 'security-severity': security }),
                },
              };
            }),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            exitCode: report.summary.passed ? 0 : 1,
            startTimeUtc: report.createdAt,
            toolExecutionNotifications: report.skipped.map((item) => ({
              level: 'note',
              message: { text: `${item.path}: ${item.reason}` },
            })),
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToUri(root, true) } },
        columnKind: 'unicodeCodePoints',
        results: report.findings.map((finding) => {
          const artifact = artifactOf(finding.path, root);
          const member = finding.archivePath ? ` in ${finding.archivePath}` : '';
          const jwt = jwtSummary(finding);
          return {
            ruleId: finding.rule,
            ruleIndex: ruleIndex.get(finding.rule) ?? 0,
            level: SARIF_LEVELS[finding.severity],
            message: {
              text: `${findingWhat(finding)}${member}: ${finding.preview} ${finding.fingerprint}${jwt ? `; ${jwt}` : ''}`,
            },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: artifact,
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
          };
        }),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function artifactOf(path: string, root: string): { uri: string; uriBaseId?: string } {
  const absolute = resolve(path);
  const inside = relative(root, absolute);
  if (inside && !inside.startsWith('..') && !isAbsolute(inside))
    return { uri: inside.split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  return { uri: pathToUri(absolute, false) };
}

function pathToUri(path: string, folder: boolean): string {
  const segments = path.split(sep).map(encodeURIComponent).join('/');
  const uri = `file://${segments.startsWith('/') ? '' : '/'}${segments}`;
  return folder && !uri.endsWith('/') ? `${uri}/` : uri;
}
