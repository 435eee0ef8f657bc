import type { Report } from './model.ts';

/**
 * The JSON report: DESIGN.md's stable fields (tool, findings, scenarios, summary) and the
 * evidence they rest on. Secrets are fingerprints and previews throughout.
 */
export function renderJson(report: Report): string {
  const { tool, createdAt, policy, findings, scenarios, summary, evidence } = report;
  return `${JSON.stringify({ tool, createdAt, policy, findings, scenarios, summary, evidence }, null, 2)}\n`;
}
