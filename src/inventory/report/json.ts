import type { InventoryReport } from '../model.ts';

/** The report as JSON: the model itself (it holds fingerprints, never values). */
export function renderInventoryJson(report: InventoryReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
