/**
 * The SARIF 2.1.0 report: one rule per detector (every tool, always), one result per entry at
 * its file (a `file://` URI: home folders are not in a repository), levels from severity, and
 * fingerprints that stay the same while the file holds the same credentials.
 */

import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { SARIF_LEVELS, SARIF_SECURITY_SEVERITY } from '../../report/sarif-severity.ts';
import type { InventoryEntry, InventoryReport } from '../model.ts';
import { DETECTORS } from '../tools/index.ts';
import { entryFacts, entryTitle } from './describe.ts';

export function renderInventorySarif(report: InventoryReport): string {
  const ids = DETECTORS.map((detector) => detector.id);
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
            rules: DETECTORS.map((detector) => ({
              id: ruleId(detector.id),
              name: `CachedCredentials${detector.id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
              shortDescription: { text: `Cached ${detector.name} credentials` },
              fullDescription: {
                text: `Reports the credentials ${detector.name} keeps under a home folder: ${detector.paths.map((p) => `~/${p.path}`).join(', ')}.`,
              },
              defaultConfiguration: { level: 'warning' },
              help: {
                text: 'Sign out of tools you do not use, keep tokens in the system keyring, and make cache files readable by their owner only (chmod 600).',
              },
              properties: { tags: ['security', 'NHI2:2025', 'NHI7:2025', 'CSF PR.DS-01'] },
            })),
          },
        },
        automationDetails: { id: `devicebound-inventory/${report.createdAt}` },
        invocations: [
          {
            executionSuccessful: true,
            exitCode: report.summary.passed ? 0 : 1,
            startTimeUtc: report.createdAt,
            ...(report.problems.length > 0 && {
              toolExecutionNotifications: report.problems.map((problem) => ({
                level: 'warning',
                message: { text: `${problem.path}: ${problem.reason}` },
                locations: [location(problem.path)],
              })),
            }),
          },
        ],
        results: report.entries.map((entry) => result(entry, ids)),
        columnKind: 'utf16CodeUnits',
        properties: { failOn: report.failOn, passed: report.summary.passed, homes: report.homes },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function ruleId(tool: string): string {
  return `inventory/${tool}`;
}

function result(entry: InventoryEntry, ids: string[]) {
  const securitySeverity = SARIF_SECURITY_SEVERITY[entry.severity];
  const identity = [
    entry.path,
    entry.label ?? '',
    ...entry.credentials.map((c) => c.fingerprint ?? c.kind),
  ].join('\0');
  return {
    ruleId: ruleId(entry.tool),
    ruleIndex: Math.max(0, ids.indexOf(entry.tool)),
    level: SARIF_LEVELS[entry.severity],
    message: {
      text: `${entryTitle(entry)} (${entry.severity}): ${entryFacts(entry)}.${entry.notes.length ? ` ${entry.notes.join('; ')}.` : ''}`,
    },
    locations: [location(entry.path)],
    partialFingerprints: {
      'deviceboundInventory/v1': createHash('sha256').update(identity).digest('hex').slice(0, 32),
    },
    properties: {
      severity: entry.severity,
      kinds: entry.kinds,
      storage: entry.storage,
      readableBy: entry.readableBy,
      unattendedRenewal: entry.unattendedRenewal,
      ...(securitySeverity !== undefined && { 'security-severity': securitySeverity }),
    },
  };
}

function location(path: string) {
  return { physicalLocation: { artifactLocation: { uri: pathToFileURL(path).href } } };
}
