import type { InventoryReport } from '../model.ts';
import { entryFleetKey } from './describe.ts';

/**
 * The report as JSON: the model itself (it holds fingerprints, never values), each entry with
 * its v2 `fleetKey` (rule, tool and path in its home: the same on every host).
 */
export function renderInventoryJson(report: InventoryReport): string {
  const entries = report.entries.map((entry) => ({ ...entry, fleetKey: entryFleetKey(entry) }));
  return `${JSON.stringify({ ...report, entries }, null, 2)}\n`;
}
