import { fingerprint } from '../evidence/secret.ts';
import { jwtClaims } from '../jwt.ts';
import type { Detector } from './detector.ts';
import type {
  CredentialKind,
  CredentialSummary,
  InventoryEntry,
  Observation,
  ReadableBy,
} from './model.ts';
import { assessSeverity } from './severity.ts';

/** What the walker learnt about a file from `stat`. */
export interface FileFacts {
  home: string;
  path: string;
  mode: number;
  owner: string;
  modifiedAt: Date;
}

const SHORT_LIVED: ReadonlySet<CredentialKind> = new Set(['access', 'id']);
const RENEWING: ReadonlySet<CredentialKind> = new Set(['refresh', 'client-secret', 'private-key']);

export function readableBy(mode: number): ReadableBy {
  if (mode & 0o004) return 'world';
  if (mode & 0o040) return 'group';
  return 'owner';
}

/** Turns a detector's observation into a report entry: fingerprints the values (and drops
 * them), reads JWT expiry, and judges the severity. */
export function buildEntry(
  detector: Pick<Detector, 'id' | 'name'>,
  observation: Observation,
  facts: FileFacts,
  now: Date,
): InventoryEntry {
  const credentials = observation.credentials.map(
    (
      found,
    ): CredentialSummary & {
      longLived?: boolean;
    } => {
      const claims = found.value ? jwtClaims(found.value, now.getTime()) : undefined;
      const expiresAt = found.expiresAt ?? (claims?.exp ? new Date(claims.exp) : undefined);
      const audience = typeof claims?.aud === 'string' ? [claims.aud] : claims?.aud;
      return {
        kind: found.kind,
        ...(found.value && { fingerprint: fingerprint(found.value) }),
        ...(expiresAt && {
          expiresAt: expiresAt.toISOString(),
          expired: expiresAt.getTime() <= now.getTime(),
        }),
        ...(typeof claims?.iss === 'string' && { issuer: claims.iss }),
        ...(audience && { audience }),
        ...(found.longLived && { longLived: true }),
      };
    },
  );
  const dated = credentials.filter((c) => c.expiresAt !== undefined);
  const shortDated = dated.filter((c) => SHORT_LIVED.has(c.kind));
  const expiry = (shortDated.length > 0 ? shortDated : dated)
    .map((c) => c.expiresAt as string)
    .sort()[0];
  const status = observation.status ?? 'ok';
  const readable = readableBy(facts.mode);
  const severity = assessSeverity({
    status,
    storage: observation.storage,
    readableBy: readable,
    credentials,
  });
  const unattendedRenewal =
    observation.unattendedRenewal ??
    credentials.some((c) => RENEWING.has(c.kind) && c.expired !== true);
  const notes = [...(observation.notes ?? [])];
  if (readable !== 'owner' && credentials.length > 0)
    notes.push(`readable by ${readable === 'world' ? 'every user' : 'its group'}: chmod 600`);
  return {
    tool: detector.id,
    toolName: detector.name,
    home: facts.home,
    path: facts.path,
    ...(observation.label !== undefined && { label: observation.label }),
    status,
    kinds: [...new Set(credentials.map((c) => c.kind))],
    credentials: credentials.map(({ longLived: _, ...summary }) => summary),
    unattendedRenewal,
    ...(expiry !== undefined && {
      expiresAt: expiry,
      expired: new Date(expiry).getTime() <= now.getTime(),
    }),
    ageSeconds: Math.max(0, Math.round((now.getTime() - facts.modifiedAt.getTime()) / 1000)),
    mode: `0${(facts.mode & 0o777).toString(8).padStart(3, '0')}`,
    owner: facts.owner,
    readableBy: readable,
    storage: observation.storage,
    severity,
    notes,
  };
}
