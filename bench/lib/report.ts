// What a benchmark module returns, and the plain-text table bench/run.ts prints.

export interface Figure {
  /** What was measured, e.g. `lab requests/s`. */
  label: string;
  /** Formatted value with its unit. */
  value: string;
  /** The goal, e.g. `≥ 2.0x`, and whether this run met it. Absent for context figures. */
  goal?: { text: string; met: boolean };
}

export interface BenchResult {
  figures: Figure[];
  /** How it was measured and anything worth knowing, one line each. */
  notes: string[];
}

/** A benchmark module: listed in bench/run.ts, run in order. */
export interface Benchmark {
  /** Short name, e.g. `lab-throughput`. */
  name: string;
  /** One line saying what it measures. */
  title: string;
  /** Throws on a real error (a server that fails, answers it should not give); a missed goal is a result. */
  run(): Promise<BenchResult>;
}

export function formatNumber(value: number, fractionDigits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

export function megabytes(bytes: number): string {
  return `${formatNumber(bytes / 1024 / 1024, 1)} MB`;
}

export function goalText(goal: NonNullable<Figure['goal']>): string {
  return `goal ${goal.text}: ${goal.met ? 'met' : 'NOT met'}`;
}

/** Columns: figure, value (right-aligned), goal. */
export function table(figures: readonly Figure[]): string {
  const labelWidth = Math.max(6, ...figures.map((f) => f.label.length));
  const valueWidth = Math.max(5, ...figures.map((f) => f.value.length));
  const line = (label: string, value: string, goal: string) =>
    `  ${label.padEnd(labelWidth)}  ${value.padStart(valueWidth)}  ${goal}`.trimEnd();
  return [
    line('figure', 'value', 'goal'),
    line('-'.repeat(labelWidth), '-'.repeat(valueWidth), '-'.repeat(24)),
    ...figures.map((f) => line(f.label, f.value, f.goal ? goalText(f.goal) : '')),
  ].join('\n');
}

/** Progress goes to stderr; the table goes to stdout. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A whole number from the environment (to shorten runs while iterating), or the default. */
export function positiveInteger(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${variable} must be a positive whole number, got '${raw}'`);
  }
  return value;
}
