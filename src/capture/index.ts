/**
 * `analyze`'s evidence source: captures of device flows that already happened, read into the
 * one evidence model. A HAR (streamed entry by entry), a devicebound JSONL trace (`serve
 * --trace`) or saved evidence (`check --save-evidence`), told apart by content, not by name.
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../errors.ts';
import type { LabEvent, LabStartEvent } from '../evidence/events.ts';
import { parseEvidence } from '../evidence/load.ts';
import type { Evidence, ScenarioRun } from '../evidence/model.ts';
import { CAPTURE_END_MARKER, CAPTURE_SCENARIO } from '../evidence/names.ts';
import { labEventSchema } from '../evidence/schema.ts';
import { runsFromObservations } from './flows.ts';
import { harEntries } from './har.ts';
import { type FingerprintTable, type Observation, observe } from './observe.ts';
import { observationOf, TRACE_PREVIEW } from './recorded.ts';

export type CaptureKind = 'har' | 'trace' | 'evidence';

export interface CaptureRead {
  file: string;
  kind: CaptureKind;
  runs: ScenarioRun[];
  /** Saved evidence only: the policy it was judged under. */
  evidence?: Evidence;
  /** Entries that could not be read, and other limits, one line each. */
  notes: string[];
}

/** What a file is, from its first bytes. */
export async function captureKind(file: string): Promise<CaptureKind> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read: ${error.code ?? error.message}`, { file });
  });
  let head: string;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{')) {
    throw new UsageError('not a HAR, a devicebound trace or saved evidence (expected JSON)', {
      file,
      line: 1,
    });
  }
  if (/^\{\s*"evidenceVersion"\s*:/.test(text)) return 'evidence';
  const firstLine = text.split('\n', 1)[0] ?? '';
  try {
    const first = JSON.parse(firstLine) as { type?: unknown; seq?: unknown };
    if (typeof first.type === 'string' && typeof first.seq === 'number') return 'trace';
  } catch {
    // Not one object per line: a whole-file JSON document.
  }
  if (/"log"\s*:\s*\{/.test(text)) return 'har';
  throw new UsageError('not a HAR (no "log"), a devicebound trace or saved evidence', {
    file,
    line: 1,
  });
}

/** Reads one capture into runs of scenario `capture` (saved evidence keeps its own runs). */
export async function readCapture(file: string): Promise<CaptureRead> {
  const kind = await captureKind(file);
  if (kind === 'evidence') {
    const evidence = parseEvidence(await readFile(file, 'utf8'), file);
    return { file, kind, runs: evidence.runs, evidence, notes: [] };
  }
  if (kind === 'trace') return { file, kind, runs: await traceRuns(file), notes: [] };
  const observations: Observation[] = [];
  const notes: string[] = [];
  let entries = 0;
  const fingerprints: FingerprintTable = new Map();
  for await (const entry of harEntries(file)) {
    entries++;
    if (!entry.exchange) {
      notes.push(`${basename(file)}:${entry.line}: log.entries[${entry.index}]: ${entry.problem}`);
      continue;
    }
    // The entry, raw values and all, ends here: only the observation (fingerprints) is kept.
    observations.push(observe({ ...entry.exchange, line: entry.line }, fingerprints));
  }
  const runs = runsFromObservations(observations, file);
  if (runs.length === 0) notes.push(`${basename(file)}: ${entries} entries, no device flow`);
  for (const run of runs) run.notes.push(...notes);
  return { file, kind, runs, notes };
}

/**
 * A devicebound trace, one event per line, each checked as saved evidence's events are (a bad
 * one is a usage error naming its line and field). A lab's trace (`serve --trace`) is one run;
 * a recorded one (`record`, scenario `capture`) is rebuilt into sessions and flows as a HAR is.
 */
async function traceRuns(file: string): Promise<ScenarioRun[]> {
  const events: LabEvent[] = [];
  const lines: number[] = [];
  const reader = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of reader) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new UsageError('not valid JSON', { file, line });
    }
    const parsed = labEventSchema.safeParse(value);
    const issue = parsed.error?.issues[0];
    if (issue) {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(event)';
      throw new UsageError(issue.message, { file, line, field });
    }
    events.push(value as LabEvent);
    lines.push(line);
  }
  const start = events.find((event): event is LabStartEvent => event.type === 'lab-start');
  if (!start) {
    throw new UsageError('a devicebound trace starts with a lab-start event', {
      file,
      line: 1,
      field: 'type',
    });
  }
  if (start.scenario === CAPTURE_SCENARIO) {
    const origin = Date.parse(start.startedAt) || 0;
    const observations = events.flatMap((event, i) =>
      event.type === 'request' ? [observationOf(event, origin, lines[i] ?? 0)] : [],
    );
    const end = events.findLast(
      (event) => event.type === 'marker' && event.label === CAPTURE_END_MARKER,
    );
    const runs = runsFromObservations(observations, file, end && origin + end.t);
    for (const run of runs) {
      run.notes.push(`recorded by devicebound record in front of ${start.issuer}`);
    }
    return runs;
  }
  const canaries = events.flatMap((event) =>
    event.type === 'request'
      ? event.issued.map((ref) => ({
          kind: ref.kind,
          fingerprint: ref.fingerprint,
          preview: TRACE_PREVIEW,
          issuedAt: event.t,
          deviceCode: ref.kind === 'device_code' ? ref.fingerprint : event.deviceCode,
          invocation: 1,
        }))
      : [],
  );
  const run: ScenarioRun = {
    task: `trace:${basename(file)}`,
    scenario: CAPTURE_SCENARIO,
    lab: {
      issuer: start.issuer,
      clientId: start.clientId,
      interval: start.interval,
      expiresIn: start.expiresIn,
      tokenTtl: start.tokenTtl,
    },
    events,
    canaries,
    invocations: [],
    notes: [
      `from ${basename(file)}: the lab's ${start.scenario} scenario, ${events.length} events`,
    ],
  };
  return [run];
}
