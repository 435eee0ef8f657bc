import type { DialectName } from '../../evidence/names.ts';
import { aws } from './aws.ts';
import { generic } from './generic.ts';
import { github } from './github.ts';
import { microsoft } from './microsoft.ts';
import type { Dialect } from './types.ts';

const DIALECTS: Record<DialectName, Dialect> = { generic, github, microsoft, aws };

export function dialectFor(name: DialectName): Dialect {
  return DIALECTS[name];
}

export type { Dialect } from './types.ts';
