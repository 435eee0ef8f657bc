/**
 * A finding's identity across a fleet: the same defect on two hosts has different fingerprints
 * (the secrets differ) but the same source, rule, tool and place. `fleetKey` names those, with
 * the place relative to what differs between hosts (the home for inventory, the scanned root
 * for scan, the task for check), so a SIEM groups by it, e.g.
 * `inventory:inventory/aws:aws:.aws/sso/cache/<sha1>.json` or `check:poll-interval:aws:approve`.
 */
export interface FleetKeyParts {
  /** The command that found it. */
  source: 'check' | 'scan' | 'inventory';
  /** Its rule: a check id, a scan rule id, `inventory/<detector>`. */
  rule: string;
  /** The program or tool it is about (a check's task, an inventory detector); `-` when none. */
  tool?: string;
  /** The place, relative to what differs between hosts, `/`-separated; `-` when none. */
  place?: string;
}

export function fleetKey(parts: FleetKeyParts): string {
  const clean = (text: string | undefined) =>
    text === undefined || text === '' ? '-' : text.replaceAll('\\', '/').replaceAll(':', '%3A');
  return [parts.source, parts.rule, clean(parts.tool), clean(parts.place)].join(':');
}
