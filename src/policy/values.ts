// The formats of policy values that more than one reader checks: durations and egress globs.
import { UsageError } from '../errors.ts';

/** An `egress.allow` entry: a host name, or `*.domain` for its subdomains (case-insensitive). */
export const EGRESS_GLOB =
  /^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `60s`, `2m`, `500ms`, `1h`, or a number of seconds. */
export const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/** Milliseconds of `30s`, `2m`, `500ms`, `1h` or a number of seconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = DURATION.exec(value.trim());
  if (!match) throw new UsageError(`'${value}' is not a duration such as 30s, 2m or 500ms`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[
    (match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'
  ];
  return Math.round(Number(match[1]) * unit);
}
