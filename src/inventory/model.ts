/**
 * The inventory's model: what a detector sees in a cache file (`Observation`), what the report
 * says about it (`InventoryEntry`), and the report itself. No field ever holds a secret value:
 * credentials are named by kind and `sha256:` fingerprint only.
 */
import type { Fingerprint } from '../evidence/secret.ts';
import type { BaseFinding, Severity } from '../findings/index.ts';

/** What a cached credential is. `pat` is any long-lived bearer token a person created or a CLI
 * keeps without expiry; `api-key` a static key (AWS access key pair, OpenAI key). */
export type CredentialKind =
  | 'access'
  | 'refresh'
  | 'id'
  | 'pat'
  | 'client-secret'
  | 'api-key'
  | 'password'
  | 'private-key';

/** Kinds that stay useful until someone revokes them. */
export const LONG_LIVED_KINDS: ReadonlySet<CredentialKind> = new Set([
  'refresh',
  'pat',
  'client-secret',
  'api-key',
  'password',
  'private-key',
]);

export type Storage = 'plaintext' | 'encrypted' | 'keyring-reference' | 'unknown';
export type ReadableBy = 'owner' | 'group' | 'world';
/** `ok`: recognised; `malformed`: a known path that does not parse; `unknown`: parses, but not
 * in a shape this detector knows. */
export type EntryStatus = 'ok' | 'malformed' | 'unknown';

/** One credential a detector found: the raw value is only held to fingerprint it. */
export interface FoundCredential {
  kind: CredentialKind;
  /** The raw value, fingerprinted by the walker and then dropped. */
  value?: string;
  /** From the file's own fields; the walker falls back to a JWT's `exp`. */
  expiresAt?: Date;
  /** A token that does not expire although its kind usually does (a GitHub OAuth token). */
  longLived?: boolean;
}

/** What a detector says about one account or host in one file. */
export interface Observation {
  /** Which account, host or profile, when the file holds several (no secrets: names only). */
  label?: string;
  credentials: FoundCredential[];
  storage: Storage;
  status?: EntryStatus;
  notes?: string[];
  /** Overrides the walker's rule (a refresh token present and not expired). */
  unattendedRenewal?: boolean;
}

/** A credential as reports show it. */
export interface CredentialSummary {
  kind: CredentialKind;
  fingerprint?: Fingerprint;
  expiresAt?: string;
  expired?: boolean;
  /** From a JWT, decoded without verifying. */
  issuer?: string;
  audience?: string[];
}

/** One cache file (or one account in it) as a finding of the inventory. */
export interface InventoryEntry extends BaseFinding {
  /** Detector id, e.g. `gh`. */
  tool: string;
  toolName: string;
  home: string;
  /** Absolute path of the file. */
  path: string;
  label?: string;
  status: EntryStatus;
  kinds: CredentialKind[];
  credentials: CredentialSummary[];
  unattendedRenewal: boolean;
  /** The earliest expiry of the entry's short-lived credentials. */
  expiresAt?: string;
  expired?: boolean;
  /** Seconds since the file last changed. */
  ageSeconds: number;
  /** Permission bits, octal, e.g. `0600`. */
  mode: string;
  owner: string;
  readableBy: ReadableBy;
  storage: Storage;
  severity: Severity;
  notes: string[];
}

export interface InventoryProblem {
  path: string;
  reason: string;
}

export interface InventoryReport {
  tool: { name: 'devicebound'; version: string };
  createdAt: string;
  homes: string[];
  failOn: Severity;
  entries: InventoryEntry[];
  problems: InventoryProblem[];
  summary: {
    passed: boolean;
    entries: number;
    failing: number;
    problems: number;
    bySeverity: Record<Severity, number>;
    byTool: Record<string, number>;
  };
}
