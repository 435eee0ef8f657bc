import { generic } from './generic.ts';
import { github } from './github.ts';
import { microsoft } from './microsoft.ts';
import type { DialectName } from './names.ts';
import type { Dialect } from './types.ts';

const DIALECTS: Record<DialectName, Dialect> = { generic, github, microsoft };

export function dialectFor(name: DialectName): Dialect {
  return DIALECTS[name];
}

export { DIALECT_NAMES, type DialectName } from './names.ts';
export type { Dialect } from './types.ts';
