// `inventory --format ocsf`: one OCSF Detection Finding per cached-credential entry, as JSON
// Lines (report/kit/ocsf.ts says why that class). The file is the resource; the fleet key is the
// tool and the path in the home, so the same cache on a thousand laptops groups as one.
import { hostname } from 'node:os';
import type { TextPieces } from '../../report/kit/index.ts';
import { type OcsfFinding, ocsfPieces } from '../../report/kit/ocsf.ts';
import type { InventoryEntry, InventoryReport } from '../model.ts';
import {
  entryFacts,
  entryFleetKey,
  entryIdentity,
  entryTitle,
  homePath,
  inventoryRuleId,
} from './describe.ts';

export function renderInventoryOcsf(report: InventoryReport): TextPieces {
  const time = Date.parse(report.createdAt);
  // One finding at a time, as ocsfPieces serialises it: thousands of entries, none kept.
  function* findings(): Generator<OcsfFinding> {
    for (const entry of report.entries) yield entryFinding(entry, time);
  }
  return ocsfPieces(findings(), {
    command: 'inventory',
    version: report.tool.version,
    hostname: hostname(),
  });
}

function entryFinding(entry: InventoryEntry, time: number): OcsfFinding {
  return {
    uid: entryIdentity(entry),
    rule: inventoryRuleId(entry.tool),
    ruleDescription: `Cached sign-in state of ${entry.toolName}`,
    title: `${entryTitle(entry)}: ${homePath(entry)}`,
    desc: `${entryFacts(entry)}.${entry.notes.length ? ` ${entry.notes.join('; ')}.` : ''}`,
    severity: entry.severity,
    types: ['cached credential', ...entry.kinds.map((kind) => `credential:${kind}`)],
    resources: [
      {
        type: 'file',
        name: entry.path,
        data: {
          owner: entry.owner,
          mode: entry.mode,
          storage: entry.storage,
          readable_by: entry.readableBy,
        },
      },
    ],
    fleetKey: entryFleetKey(entry),
    unmapped: {
      tool: entry.tool,
      kinds: entry.kinds,
      credentials: entry.credentials,
      unattended_renewal: entry.unattendedRenewal,
      ...(entry.expiresAt !== undefined && { expires_at: entry.expiresAt }),
    },
    time,
  };
}
