import type { Severity } from '../findings/index.ts';
import {
  type CredentialKind,
  type EntryStatus,
  LONG_LIVED_KINDS,
  type ReadableBy,
  type Storage,
} from './model.ts';

export interface SeverityInput {
  status: EntryStatus;
  storage: Storage;
  readableBy: ReadableBy;
  credentials: { kind: CredentialKind; expired?: boolean; longLived?: boolean }[];
}

/**
 * How bad one cache file is:
 * - critical: a live long-lived secret (refresh token, PAT, client secret, key, password) in
 *   plaintext that the group or everyone can read;
 * - high: such a secret in plaintext readable by its owner only, or a live short-lived token
 *   readable by others;
 * - medium: a live short-lived token (access, ID) in plaintext;
 * - low: only expired credentials, or an encrypted cache;
 * - info: keyring references, files without credentials, and files we could not make out.
 */
export function assessSeverity(input: SeverityInput): Severity {
  if (input.status !== 'ok') return 'info';
  if (input.storage === 'encrypted') return 'low';
  if (input.storage === 'keyring-reference' || input.credentials.length === 0) return 'info';
  const shared = input.readableBy !== 'owner';
  const live = input.credentials.filter((credential) => credential.expired !== true);
  if (live.some((c) => LONG_LIVED_KINDS.has(c.kind) || c.longLived)) {
    return shared ? 'critical' : 'high';
  }
  if (live.length > 0) return shared ? 'high' : 'medium';
  return 'low';
}
