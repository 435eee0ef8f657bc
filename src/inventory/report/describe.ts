/** Short phrases every renderer uses, so that all formats say the same thing. */
import { fleetKey, identityHash } from '../../findings/index.ts';
import type { InventoryEntry } from '../model.ts';

/** The rule an entry is reported under: `inventory/<tool>`. */
export function inventoryRuleId(tool: string): string {
  return `inventory/${tool}`;
}

/** An entry's identity from run to run on one host (SARIF `partialFingerprints`, OCSF uid). */
export function entryIdentity(entry: InventoryEntry): string {
  return identityHash([
    entry.path,
    entry.label ?? '',
    ...entry.credentials.map((c) => c.fingerprint ?? c.kind),
  ]);
}

/**
 * The entry's fleet key (findings/fleet.ts): its rule, tool and path in its home, the same on
 * every host that caches the same credential in the same place.
 */
export function entryFleetKey(entry: InventoryEntry): string {
  let key = fleetKeys.get(entry);
  if (key === undefined) {
    key = fleetKey({
      source: 'inventory',
      rule: inventoryRuleId(entry.tool),
      tool: entry.tool,
      place: homePath(entry).replace(/^~\//, ''),
    });
    fleetKeys.set(entry, key);
  }
  return key;
}

/** Entries are not changed once reported: each format written in one run reuses the key. */
const fleetKeys = new WeakMap<InventoryEntry, string>();

export function entryTitle(entry: InventoryEntry): string {
  return entry.label ? `${entry.toolName}: ${entry.label}` : entry.toolName;
}

/** `~/.aws/sso/cache/x.json` for a file in its home. */
export function homePath(entry: Pick<InventoryEntry, 'home' | 'path'>): string {
  const home = entry.home.replace(/\/+$/, '');
  return entry.path.startsWith(`${home}/`) ? `~${entry.path.slice(home.length)}` : entry.path;
}

export function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** What the entry holds and how long it lasts, in one line. */
export function entryFacts(entry: InventoryEntry): string {
  const parts: string[] = [];
  if (entry.status !== 'ok') parts.push(entry.status);
  parts.push(entry.kinds.length ? entry.kinds.join('+') : 'no credentials');
  parts.push(entry.storage);
  if (entry.unattendedRenewal) parts.push('renews unattended');
  if (entry.expiresAt) parts.push(`${entry.expired ? 'expired' : 'expires'} ${entry.expiresAt}`);
  parts.push(
    `mode ${entry.mode} ${entry.owner}${entry.readableBy === 'owner' ? '' : ` (${entry.readableBy}-readable)`}`,
  );
  parts.push(`changed ${age(entry.ageSeconds)} ago`);
  return parts.join(', ');
}

export function fingerprints(entry: InventoryEntry): string[] {
  return entry.credentials
    .filter((credential) => credential.fingerprint)
    .map((credential) => `${credential.kind} ${credential.fingerprint?.slice(0, 19)}…`);
}
