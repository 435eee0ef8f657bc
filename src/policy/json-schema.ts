import { z } from 'zod';
import { policySchema } from './schema.ts';

/** The policy's JSON Schema, for editors (yaml-language-server) and other tools. */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    title: 'devicebound policy',
    ...z.toJSONSchema(policySchema, { target: 'draft-2020-12', io: 'input' }),
  };
}
