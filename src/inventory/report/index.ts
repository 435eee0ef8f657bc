import { byFormat } from '../../report/kit/index.ts';
import type { InventoryReport } from '../model.ts';
import { renderInventoryJson } from './json.ts';
import { renderInventoryJunit } from './junit.ts';
import { renderInventoryMarkdown } from './markdown.ts';
import { renderInventorySarif } from './sarif.ts';
import { renderInventoryText } from './text.ts';

export const INVENTORY_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

/** Renders a report of `inventory` in any of its formats. */
export const renderInventory = byFormat<InventoryFormat, InventoryReport>({
  text: renderInventoryText,
  json: renderInventoryJson,
  sarif: renderInventorySarif,
  junit: renderInventoryJunit,
  markdown: renderInventoryMarkdown,
});
