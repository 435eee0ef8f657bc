import type { z } from 'zod';
import { UsageError } from '../errors.ts';
import { EVIDENCE_VERSION, type Evidence } from './model.ts';
import { evidenceSchema } from './schema.ts';

/**
 * Parses saved evidence, every field of every event. A file from another tool or a newer
 * version, or one with a malformed part, is refused (exit 2) with a message naming the file and
 * the exact field, such as `runs[0].events[3].t`; never with a value from the file.
 */
export function parseEvidence(text: string, file: string): Evidence {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const line =
      position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    throw new UsageError('not valid JSON', line === undefined ? { file } : { file, line });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new UsageError('expected a JSON object', { file, field: '(top level)' });
  if ((data as { evidenceVersion?: unknown }).evidenceVersion !== EVIDENCE_VERSION) {
    throw new UsageError(
      `expected ${EVIDENCE_VERSION}; this file was not written by this version of devicebound check --save-evidence`,
      { file, field: 'evidenceVersion' },
    );
  }
  const parsed = evidenceSchema.safeParse(data, { error: describeIssue });
  const issue = parsed.error?.issues[0];
  if (issue) {
    const path = [...issue.path];
    if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    throw new UsageError(issue.message, { file, field: fieldName(path) });
  }
  // The file's own objects, not the parser's copies: their key order is what reports show.
  // JSON has no `undefined`, so the only gap between the saved form and `Evidence` is a field
  // typed `T | undefined` that is absent.
  return data as Evidence;
}

/** `runs[0].events[3].t`, as a person would write it. */
function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      return i === 0 ? String(part) : `.${String(part)}`;
    })
    .join('');
}

/**
 * What is wrong, in words, for the issues whose schema gives no message of its own. Only the
 * kind of a bad value is named, never the value: a file may hold anything.
 */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `missing; expected ${typeName(issue.expected)}`;
      if (issue.expected === 'int' && typeof issue.input === 'number')
        return 'expected a whole number';
      return `expected ${typeName(issue.expected)}, got ${kindOf(issue.input)}`;
    case 'invalid_union': {
      if (!('discriminator' in issue) || typeof issue.discriminator !== 'string') return undefined;
      const value = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator];
      const options = (issue.options as unknown[] | undefined)?.map(String).join(', ') ?? '';
      const shown = typeof value === 'string' && value.length <= 40 ? ` '${value}'` : '';
      return `unknown ${issue.discriminator}${shown}; expected one of ${options}`;
    }
    case 'invalid_value':
      if (issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}`;
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return `expected at least ${String(issue.minimum)}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''}`;
    case 'invalid_format':
      return 'not in the expected format';
    default:
      return undefined;
  }
}

function typeName(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    default:
      return `a ${expected}`;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return 'true or false';
  return `a ${typeof value}`;
}
