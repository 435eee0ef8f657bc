import { SEVERITIES, type Severity } from '../evidence/names.ts';

/**
 * How bad a finding is, least to most: one scale for every command (check, scan, inventory).
 * The names sit with the evidence vocabulary, since saved evidence holds one (its policy's
 * `fail_on`); their order and the failing rule are the findings core's.
 */
export { SEVERITIES, type Severity };

/** 0 for `info` up to 4 for `critical`: sort by it, most severe first with `b - a`. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** A finding at or above `failOn` fails the run (exit code 1); one below it is only reported. */
export function isFailing(finding: { severity: Severity }, failOn: Severity): boolean {
  return severityRank(finding.severity) >= severityRank(failOn);
}
