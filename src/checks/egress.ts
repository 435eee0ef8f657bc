/**
 * The egress proxy's record as the checks read it: which destinations outside the played hosts
 * a run tried, which task each attempt belongs to, and whether a task's `egress.allow` host
 * globs allow a host.
 */
import type { EgressEvent } from '../evidence/events.ts';
import type { ScenarioRun } from '../evidence/model.ts';
import { invocationAt } from './timeline.ts';

/** Every attempt the egress proxy recorded, in time order (ties keep their recorded order). */
export function egressEvents(run: ScenarioRun): EgressEvent[] {
  return run.events
    .filter((event): event is EgressEvent => event.type === 'egress')
    .sort((a, b) => a.t - b.t || a.seq - b.seq);
}

/**
 * The task an attempt belongs to: that of the program run going on at the time (in `session`,
 * the second run may be another task), or the run's own before any program started.
 */
export function taskOf(run: ScenarioRun, event: EgressEvent): string {
  return invocationAt(run, event.t)?.task ?? run.task;
}

/**
 * True when a host glob of `egress.allow` matches `host`, ignoring case and a trailing dot:
 * `example.com` matches only itself; `*.example.com` matches its subdomains at any depth
 * (`api.example.com`, `a.b.example.com`) but not `example.com`. Any other `*` is no wildcard:
 * such a glob matches only a host spelled the same. Ports are not part of a glob.
 */
export function hostMatches(glob: string, host: string): boolean {
  const pattern = normalHost(glob);
  const name = normalHost(host);
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return name.length > suffix.length && name.endsWith(suffix);
  }
  return pattern !== '' && pattern === name;
}

/** True when any glob of `allow` matches `host`. */
export function egressAllows(allow: readonly string[], host: string): boolean {
  return allow.some((glob) => hostMatches(glob, host));
}

/** Lower case, without a trailing dot or IPv6 brackets. */
function normalHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

const DEFAULT_PORTS: Record<EgressEvent['scheme'], number | undefined> = {
  http: 80,
  https: 443,
  unknown: undefined,
};

/** `telemetry.example.com:443`, `[2001:db8::1]:8443`: a destination as host and port. */
export function hostPort(event: Pick<EgressEvent, 'host' | 'port'>): string {
  return `${bracketed(event.host)}:${event.port}`;
}

/**
 * `https://telemetry.example.com/v1/collect`: where an attempt was headed, the default port
 * left out; `host:port` for a tunnel whose scheme is unknown. The path has no query.
 */
export function destinationUrl(event: EgressEvent): string {
  const path = event.path ?? '';
  if (event.scheme === 'unknown') return `${hostPort(event)}${path}`;
  const port = DEFAULT_PORTS[event.scheme] === event.port ? '' : `:${event.port}`;
  return `${event.scheme}://${bracketed(event.host)}${port}${path}`;
}

function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
