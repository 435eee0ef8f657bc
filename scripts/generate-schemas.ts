// Regenerates the published JSON Schemas: `npm run schemas`. A test fails when they drift.
import { writeFile } from 'node:fs/promises';
import { policyJsonSchema } from '../src/policy/json-schema.ts';

const target = new URL('../schemas/devicebound.policy.schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
