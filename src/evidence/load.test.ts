import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { parseEvidence } from './load.ts';
import { EVIDENCE_VERSION, type Evidence } from './model.ts';

// Evidence saved by `check --save-evidence` (see test/fixtures/report/README.md).
const SAVED = fileURLToPath(new URL('../../test/fixtures/report/evidence.json', import.meta.url));
const FILE = 'saved.json';

function saved(): Record<string, unknown> & Evidence {
  return JSON.parse(readFileSync(SAVED, 'utf8')) as Record<string, unknown> & Evidence;
}

/** Saved evidence with one change made to it, as JSON text. */
function changed(change: (evidence: Record<string, unknown> & Evidence) => void): string {
  const evidence = saved();
  change(evidence);
  return JSON.stringify(evidence, null, 2);
}

/** The usage error (exit 2) that parsing gives, as the CLI prints it. */
function refusal(text: string): string {
  try {
    parseEvidence(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error('the evidence was accepted');
}

/** An event of the first run, for changing it in place. */
function event(evidence: Evidence, index: number): Record<string, unknown> {
  const found = evidence.runs[0]?.events[index];
  if (!found) throw new Error(`no event ${index}`);
  return found as unknown as Record<string, unknown>;
}

describe('parseEvidence', () => {
  it('loads evidence saved by check --save-evidence, exactly as it was saved', () => {
    const text = readFileSync(SAVED, 'utf8');
    const evidence = parseEvidence(text, SAVED);
    expect(evidence).toEqual(JSON.parse(text));
    // The file's own key order, which the JSON report shows again.
    expect(JSON.stringify(evidence, null, 2)).toBe(JSON.stringify(JSON.parse(text), null, 2));
  });

  it.each([
    // [what is wrong, the change, the message; why]
    [
      'a malformed event deep inside a valid file',
      (e: Evidence) => {
        event(e, 3).t = 'soon';
      },
      'runs[0].events[3].t: expected a number, got a string',
    ],
    [
      'a value of the wrong type',
      (e: Evidence) => {
        (e.runs[0]?.invocations[0] as unknown as Record<string, unknown>).exitCode = '0';
      },
      'runs[0].invocations[0].exitCode: expected a number, got a string',
    ],
    [
      'an event of a type this version does not know',
      (e: Evidence) => {
        event(e, 2).type = 'telemetry';
      },
      "runs[0].events[2].type: unknown type 'telemetry'; expected one of request, decision, marker, lab-start, egress",
    ],
    [
      'a missing field',
      (e: Evidence) => {
        delete event(e, 4).status;
      },
      'runs[0].events[4].status: missing; expected a number',
    ],
    [
      'a field this version does not know (a typo is not judged as absent)',
      (e: Evidence) => {
        event(e, 4).intervalInFroce = 1;
      },
      'runs[0].events[4].intervalInFroce: unknown field',
    ],
    [
      'a credential that is not a fingerprint (a raw value must never be loaded as one)',
      (e: Evidence) => {
        (e.runs[1]?.canaries[0] as unknown as Record<string, unknown>).fingerprint = 'eyJhbGc';
      },
      'runs[1].canaries[0].fingerprint: expected a sha256: fingerprint (64 lower-case hex digits)',
    ],
    [
      'a name outside its vocabulary',
      (e: Evidence) => {
        (e.runs[0]?.invocations[0]?.hits[0] as unknown as Record<string, unknown>).kind = 'pat';
      },
      'runs[0].invocations[0].hits[0].kind: expected one of "device_code", "user_code", "access_token", "refresh_token", "id_token", "client_secret", "cloud_key"',
    ],
    [
      'a fractional poll number',
      (e: Evidence) => {
        event(e, 4).poll = 1.5;
      },
      'runs[0].events[4].poll: expected a whole number',
    ],
    [
      'a saved policy with a bad severity',
      (e: Evidence) => {
        (e.policy as unknown as Record<string, unknown>).failOn = 'severe';
      },
      'policy.failOn: expected one of "info", "low", "medium", "high", "critical"',
    ],
  ])('refuses %s (exit 2, naming file and field)', (_what, change, message) => {
    expect(refusal(changed(change))).toBe(`${FILE}: ${message}`);
  });

  it('never quotes a value from the file', () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXZhbHVl.c2lnbmF0dXJl';
    const message = refusal(
      changed((e) => {
        event(e, 3).t = secret;
        event(e, 2).type = secret;
      }),
    );
    expect(message).not.toContain(secret);
  });

  it.each([
    // [text, message; why]
    ['{"evidenceVersion": 1,\n  oops\n}', `${FILE}:2: not valid JSON`],
    ['[]', `${FILE}: (top level): expected a JSON object`],
    [
      '{"evidenceVersion": 2}',
      `${FILE}: evidenceVersion: expected ${EVIDENCE_VERSION}; this file was not written by this version of devicebound check --save-evidence`,
    ],
    [
      changed((e) => {
        (e as Record<string, unknown>).runs = {};
      }),
      `${FILE}: runs: expected a list of scenario runs`,
    ],
    [
      changed((e) => {
        (e.runs[0] as unknown as Record<string, unknown>).events = null;
      }),
      `${FILE}: runs[0].events: expected the lab events`,
    ],
    [
      changed((e) => {
        delete (e as Record<string, unknown>).policy;
      }),
      `${FILE}: policy: expected the saved policy`,
    ],
  ])('refuses a file that is not saved evidence at all: %#', (text, message) => {
    expect(refusal(text)).toBe(message);
  });
});
