import { byFormat, type Rendered, type Renderer } from '../../report/kit/index.ts';
import type { InventoryReport } from '../model.ts';
import { renderInventoryJson } from './json.ts';
import { renderInventoryJunit } from './junit.ts';
import { renderInventoryMarkdown } from './markdown.ts';
import { renderInventoryOcsf } from './ocsf.ts';
import { renderInventorySarif } from './sarif.ts';
import { renderInventoryText } from './text.ts';

export const INVENTORY_FORMATS = [
  'text',
  'json',
  'sarif',
  'junit',
  'markdown',
  'ocsf',
  'osquery-atc',
] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

/** The formats that are text; `osquery-atc` is a database (`renderInventoryAtc`). */
export type InventoryTextFormat = Exclude<InventoryFormat, 'osquery-atc'>;

/** Renders a report of `inventory` in any of its text formats. */
export const renderInventory = byFormat({
  text: renderInventoryText,
  json: renderInventoryJson,
  sarif: renderInventorySarif,
  junit: renderInventoryJunit,
  markdown: renderInventoryMarkdown,
  ocsf: renderInventoryOcsf,
} satisfies Record<InventoryTextFormat, Renderer<InventoryReport, Rendered>>);

export {
  ATC_COLUMNS,
  ATC_TABLE,
  atcConfiguration,
  renderInventoryAtc,
} from './osquery-atc.ts';
