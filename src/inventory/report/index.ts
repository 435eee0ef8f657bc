import type { InventoryReport } from '../model.ts';
import { renderInventoryJson } from './json.ts';
import { renderInventoryJunit } from './junit.ts';
import { renderInventoryMarkdown } from './markdown.ts';
import { renderInventorySarif } from './sarif.ts';
import { renderInventoryText } from './text.ts';

export const INVENTORY_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

const RENDERERS: Record<
  InventoryFormat,
  (report: InventoryReport, options: { color: boolean }) => string
> = {
  text: renderInventoryText,
  json: renderInventoryJson,
  sarif: renderInventorySarif,
  junit: renderInventoryJunit,
  markdown: renderInventoryMarkdown,
};

export function renderInventory(
  format: InventoryFormat,
  report: InventoryReport,
  options: { color: boolean },
): string {
  return RENDERERS[format](report, options);
}
