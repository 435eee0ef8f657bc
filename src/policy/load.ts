import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../errors.ts';
import { SCENARIOS, type ScenarioName } from '../evidence/names.ts';
import type { Severity } from '../findings/severity.ts';
import { resolveTask } from './resolve.ts';
import { policySchema } from './schema.ts';
import type { Policy } from './types.ts';

const MAX_POLICY_BYTES = 1024 * 1024;

/** Reads, parses and validates a policy file; every mistake is a UsageError naming file, line and field. */
export async function loadPolicy(file: string): Promise<Policy> {
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_POLICY_BYTES)
      throw new UsageError('the policy file is larger than 1 MiB', { file });
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read the policy file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { file },
    );
  }
  return parsePolicy(text, file);
}

export function parsePolicy(text: string, file: string): Policy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  const syntax = document.errors[0];
  if (syntax) {
    throw new UsageError(
      `not valid YAML: ${syntax.message.split('\n')[0]}`,
      withLine({ file }, lineAt(syntax.pos[0])),
    );
  }
  const parsed = policySchema.safeParse(document.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys' && issue.keys[0]) path.push(issue.keys[0]);
    const node = nearestNode(document, path);
    throw new UsageError(
      describeIssue(issue),
      withLine({ file, field: fieldName(path) }, lineAt(node)),
    );
  }

  const raw = parsed.data;
  const base = dirname(resolve(file));
  const tasks = Object.entries(raw.tasks).map(([name, task]) =>
    resolveTask(name, task, base, {
      file,
      line: lineAt(nearestNode(document, ['tasks', name])) ?? 1,
    }),
  );
  return {
    version: 1,
    clientId: raw.client_id ?? 'devicebound-cli',
    failOn: (raw.fail_on ?? 'low') as Severity,
    tasks,
    scenarios: (raw.scenarios ?? [...SCENARIOS]) as ScenarioName[],
    interval: raw.interval,
    source: file,
  };
}

/** `tasks.list.scopes.allow[2]`, as a person would write it. */
function fieldName(path: string[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

function withLine<T extends object>(location: T, line: number | undefined): T & { line?: number } {
  return line === undefined ? location : { ...location, line };
}

/** The source offset of the deepest YAML node on `path` that exists (a missing key points at its parent). */
function nearestNode(
  document: ReturnType<typeof parseDocument>,
  path: string[],
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    // A key's own position is a better pointer than its value's for "unknown key" issues.
    const parent = depth > 0 ? document.getIn(prefix.slice(0, -1), true) : undefined;
    if (isMap(parent)) {
      const pair = parent.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === prefix.at(-1),
      );
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    const node = document.getIn(prefix, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return node.range[0];
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `'${key}'`).join(', ')}`;
    case 'invalid_value':
      if (issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}`;
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_type':
      return issue.message.startsWith('Invalid input')
        ? `expected ${issue.expected}`
        : issue.message;
    default:
      return issue.message;
  }
}
