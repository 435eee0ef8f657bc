/**
 * The SARIF 2.1.0 report: one rule per detector (every tool, always), one result per entry at
 * its file (a `file://` URI: home folders are not in a repository), levels from severity, and
 * fingerprints that stay the same while the file holds the same credentials.
 */

import { SARIF_SECURITY_SEVERITY } from '../../findings/index.ts';
import {
  fileUri,
  pascalCase,
  pathNotifications,
  type SarifLocation,
  sarifLog,
  sarifResult,
  sarifRule,
} from '../../report/kit/index.ts';
import type { InventoryEntry, InventoryReport } from '../model.ts';
import { DETECTORS } from '../tools/index.ts';
import { entryFacts, entryIdentity, entryTitle, inventoryRuleId } from './describe.ts';

export function renderInventorySarif(report: InventoryReport): string {
  const ids = DETECTORS.map((detector) => detector.id);
  return sarifLog({
    tool: report.tool,
    rules: DETECTORS.map((detector) =>
      sarifRule({
        id: inventoryRuleId(detector.id),
        name: `CachedCredentials${pascalCase(detector.id)}`,
        description: `Cached ${detector.name} credentials`,
        fullDescription: `Reports the credentials ${detector.name} keeps under a home folder: ${detector.paths.map((p) => `~/${p.path}`).join(', ')}.`,
        help: {
          text: 'Sign out of tools you do not use, keep tokens in the system keyring, and make cache files readable by their owner only (chmod 600).',
        },
        tags: ['security', 'NHI2:2025', 'NHI7:2025', 'CSF PR.DS-01'],
      }),
    ),
    automationId: `devicebound-inventory/${report.createdAt}`,
    invocation: {
      passed: report.summary.passed,
      startTimeUtc: report.createdAt,
      notifications: pathNotifications(report.problems, 'warning', location),
    },
    results: report.entries.map((entry) => result(entry, ids)),
    columnKind: 'utf16CodeUnits',
    properties: { failOn: report.failOn, passed: report.summary.passed, homes: report.homes },
  });
}

function result(entry: InventoryEntry, ids: string[]) {
  const securitySeverity = SARIF_SECURITY_SEVERITY[entry.severity];
  const identity = entryIdentity(entry);
  return sarifResult({
    ruleId: inventoryRuleId(entry.tool),
    ruleIndex: Math.max(0, ids.indexOf(entry.tool)),
    severity: entry.severity,
    message: `${entryTitle(entry)} (${entry.severity}): ${entryFacts(entry)}.${entry.notes.length ? ` ${entry.notes.join('; ')}.` : ''}`,
    locations: [location(entry.path)],
    partialFingerprints: { 'deviceboundInventory/v1': identity.slice(0, 32) },
    properties: {
      severity: entry.severity,
      kinds: entry.kinds,
      storage: entry.storage,
      readableBy: entry.readableBy,
      unattendedRenewal: entry.unattendedRenewal,
      ...(securitySeverity !== undefined && { 'security-severity': securitySeverity }),
    },
  });
}

function location(path: string): SarifLocation {
  return { physicalLocation: { artifactLocation: { uri: fileUri(path) } } };
}
