import type { Severity } from './severity.ts';

/** SARIF result level: critical/high → error, medium → warning, low/info → note. */
export const SARIF_LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub's `security-severity` scores: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
 * 0.1–3.9 low. `info` has none (GitHub then shows the result without a security severity).
 * Shared by the SARIF of check, scan and inventory so one severity means one score.
 */
export const SARIF_SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};
