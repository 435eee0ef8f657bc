// CSF DE.CM-01: watch the network for what should not be there. A sign-in that also reaches
// version checks, telemetry, analytics or crash services talks to parties the policy never
// named; that is worth seeing, though not in itself a leak, so the severity is info.
//
// A destination that was sent a credential is reported here too, on purpose: secret-in-telemetry
// owns the leak (what was sent), this check the contact (that anything went there at all). Two
// defects, two findings; allowing a host in `egress.allow` silences this one, never the leak.
import type { EgressEvent } from '../evidence/events.ts';
import type { ScenarioRun } from '../evidence/model.ts';
import { destinationUrl, egressAllows, egressEvents, hostPort, taskOf } from './egress.ts';
import { count, distinct, list, shortList } from './format.ts';
import { clockOf, invocationAt } from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

/** The attempts at one host and port that no `egress.allow` glob of their task allows. */
interface Destination {
  name: string;
  first: EgressEvent;
  attempts: EgressEvent[];
}

export const check: Check = {
  meta: {
    id: 'unexpected-egress',
    severity: 'info',
    description:
      "Disallow contact with destinations outside the identity hosts and the policy's egress.allow",
    standards: ['CSF DE.CM-01'],
    fix: 'Reach only the identity hosts and the services the task needs: make telemetry, update checks and crash reporting opt-in (or honour the usual opt-out variables), or list the hosts the task really needs in egress.allow.',
  },

  evaluate({ run, policyFor }) {
    const destinations = new Map<string, Destination>();
    const allowLists = new Map<string, readonly string[]>();
    for (const event of egressEvents(run)) {
      const allow = policyFor(taskOf(run, event)).egress?.allow ?? [];
      if (egressAllows(allow, event.host)) continue;
      allowLists.set(allow.join('\n'), allow);
      const name = hostPort(event);
      const destination = destinations.get(name);
      if (destination) destination.attempts.push(event);
      else destinations.set(name, { name, first: event, attempts: [event] });
    }
    if (destinations.size === 0) return null;

    const found = [...destinations.values()];
    const named = found.map(
      ({ name, attempts }) => `${name} (${count(attempts.length, 'attempt')})`,
    );
    return {
      message:
        `contacted ${count(found.length, 'destination')} outside ${allowance([...allowLists.values()])}: ` +
        `${shortList(named)}; nothing was forwarded`,
      evidence: found.map((destination) => evidenceOf(destination, run)),
    };
  },
};

/** `egress.allow (empty)`, `egress.allow (*.example.com)`. */
function allowance(allowLists: readonly (readonly string[])[]): string {
  const [only, ...others] = allowLists;
  if (!only || others.length > 0) return "their tasks' egress.allow";
  return `egress.allow (${only.length === 0 ? 'empty' : shortList(only)})`;
}

function evidenceOf({ name, first, attempts }: Destination, run: ScenarioRun): EvidenceItem {
  const refused = attempts.filter((event) => event.action === 'refused').length;
  const intercepted = attempts.length - refused;
  const actions =
    refused === 0
      ? 'intercepted'
      : intercepted === 0
        ? 'refused'
        : `${refused} refused, ${intercepted} intercepted`;
  const runs = distinct(attempts.map((event) => invocationAt(run, event.t)?.index ?? 1));
  const where =
    run.invocations.length > 1
      ? ` in ${runs.length === 1 ? 'run' : 'runs'} ${list(runs.map(String))}`
      : '';
  return {
    summary:
      `${name}: ${count(attempts.length, 'attempt')} (${actions})${where}, the first at ` +
      `${clockOf(run)(first.t)}: ${first.method} ${destinationUrl(first)}`,
    at: first.t,
    seq: first.seq,
  };
}
