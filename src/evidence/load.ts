import { UsageError } from '../errors.ts';
import { EVIDENCE_VERSION, type Evidence } from './model.ts';

/**
 * Parses saved evidence. The shape is checked where judging depends on it; a file from another
 * tool or a newer version is refused with a message naming the file and field.
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
  const evidence = data as Partial<Evidence>;
  const fail = (field: string, message: string) => {
    throw new UsageError(message, { file, field });
  };
  if (typeof data !== 'object' || data === null) fail('(top level)', 'expected a JSON object');
  if (evidence.evidenceVersion !== EVIDENCE_VERSION) {
    fail(
      'evidenceVersion',
      `expected ${EVIDENCE_VERSION}; this file was not written by this version of devicebound check --save-evidence`,
    );
  }
  if (!Array.isArray(evidence.runs)) fail('runs', 'expected a list of scenario runs');
  if (typeof evidence.policy !== 'object' || !Array.isArray(evidence.policy?.tasks))
    fail('policy.tasks', 'expected the saved policy');
  for (const [i, run] of (evidence.runs ?? []).entries()) {
    if (typeof run?.task !== 'string') fail(`runs[${i}].task`, 'expected a task name');
    if (!Array.isArray(run.events)) fail(`runs[${i}].events`, 'expected the lab events');
    if (!Array.isArray(run.invocations))
      fail(`runs[${i}].invocations`, 'expected the program runs');
    if (!Array.isArray(run.canaries)) fail(`runs[${i}].canaries`, 'expected the canary list');
    if (typeof run.lab?.interval !== 'number') fail(`runs[${i}].lab.interval`, 'expected a number');
  }
  return evidence as Evidence;
}
