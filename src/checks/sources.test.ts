// The checks judge evidence from any source: a capture that saw only the traffic (no lab
// settings, no poll numbers, no interval in force, no marks of injected faults, no lab-start
// event) is judged exactly as the lab's own recording of the same run.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../evidence/events.ts';
import { parseEvidence } from '../evidence/load.ts';
import type { Evidence, ScenarioRun } from '../evidence/model.ts';
import type { TaskPolicy } from '../policy/types.ts';
import { judge } from './index.ts';

// Evidence saved by `check --save-evidence` (see test/fixtures/report/README.md).
const SAVED = fileURLToPath(new URL('../../test/fixtures/report/evidence.json', import.meta.url));

function judged(evidence: Evidence) {
  const tasks = new Map<string, TaskPolicy>(
    evidence.policy.tasks.map((task) => [task.name, { ...task, env: {}, stdin: undefined }]),
  );
  return judge(evidence, (name) => {
    const task = tasks.get(name);
    if (!task) throw new Error(`no task '${name}'`);
    return task;
  });
}

/** What a capture of the same traffic could know. */
function asCaptured(run: ScenarioRun): ScenarioRun {
  const { issuer, clientId, interval, expiresIn } = run.lab;
  const events = run.events
    .filter((event) => event.type !== 'lab-start')
    .map((event): LabEvent => {
      if (event.type !== 'request') return event;
      const { poll: _poll, intervalInForce: _interval, injected: _injected, ...seen } = event;
      return seen;
    });
  return { ...run, lab: { issuer, clientId, interval, expiresIn }, events };
}

describe('evidence without the lab-only fields', () => {
  it('gets the same findings as the lab recording it came from', () => {
    const evidence = parseEvidence(readFileSync(SAVED, 'utf8'), SAVED);
    const captured = { ...evidence, runs: evidence.runs.map(asCaptured) };
    expect(
      captured.runs.flatMap((run) => run.events).some((event) => 'intervalInForce' in event),
    ).toBe(false);
    const findings = judged(evidence);
    expect(findings.length).toBeGreaterThan(0);
    expect(judged(captured)).toEqual(findings);
  });
});
