/**
 * The findings core: what every command's findings share, below every reporter. Severity and
 * its order, the failing rule, the base finding, its identity across runs, and what a severity
 * means in SARIF.
 */
export { type BaseFinding, identityHash } from './finding.ts';
export { type FleetKeyParts, fleetKey } from './fleet.ts';
export { SARIF_LEVELS, SARIF_SECURITY_SEVERITY } from './sarif-severity.ts';
export { isFailing, SEVERITIES, type Severity, severityRank } from './severity.ts';
