// NHI2, CSF PR.DS-02: a credential the identity provider issued travels to the identity
// provider and nowhere else. Telemetry, crash reporters and analytics are other parties: what
// reaches them is stored, indexed and read by people who were never meant to hold it.
import type { EgressCarried, EgressEvent } from '../evidence/events.ts';
import type { ScenarioRun } from '../evidence/model.ts';
import { destinationUrl, egressEvents } from './egress.ts';
import { distinct, encodingPhrase, kindName, list, shortList } from './format.ts';
import { clockOf, invocationAt } from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

interface Leak {
  event: EgressEvent;
  carried: EgressCarried;
}

export const check: Check = {
  meta: {
    id: 'secret-in-telemetry',
    severity: 'critical',
    description:
      'Disallow tokens, device codes and user codes in requests to hosts other than the identity hosts',
    standards: ['NHI2:2025', 'CSF PR.DS-01', 'CSF PR.DS-02', 'RFC 8628 §5.5'],
    fix: 'Keep credentials out of telemetry, crash reports and analytics: redact tokens, device codes and user codes (and the URLs, headers and bodies that hold them) before anything is sent to a host other than the identity provider.',
  },

  // Egress events are, by how the proxy records them, attempts to reach a host the task does
  // not play: any canary one carries left the identity hosts.
  evaluate({ run }) {
    const leaks: Leak[] = [];
    for (const event of egressEvents(run)) {
      const seen = new Set<string>();
      for (const carried of event.carried ?? []) {
        const key = [carried.fingerprint, carried.encoding, carried.where, carried.header].join();
        if (seen.has(key)) continue;
        seen.add(key);
        leaks.push({ event, carried });
      }
    }
    if (leaks.length === 0) return null;

    const kinds = list(distinct(leaks.map(({ carried }) => kindName(carried.kind))));
    const hosts = distinct(leaks.map(({ event }) => event.host));
    const other = hosts.length === 1 ? 'a host' : 'hosts';
    const them = leaks.length === 1 ? 'it' : 'them';
    // A capture's requests reached the network; the lab's proxy forwards nothing.
    const delivered = leaks.some(({ event }) => event.action === 'observed')
      ? `the capture shows ${them} delivered`
      : `the proxy forwarded nothing, but a real network would have delivered ${them}`;
    return {
      message: `sent ${kinds} to ${shortList(hosts)}, ${other} other than the identity hosts; ${delivered}`,
      evidence: leaks.map((leak) => evidenceOf(leak, run)),
    };
  },
};

function evidenceOf({ event, carried }: Leak, run: ScenarioRun): EvidenceItem {
  const which = run.invocations.length > 1 ? `run ${invocationAt(run, event.t)?.index ?? 1}: ` : '';
  return {
    summary:
      `${which}${kindName(carried.kind)} ${encodingPhrase(carried.encoding)} in ` +
      `${placeOf(carried, event)} of ${event.method} ${destinationUrl(event)} at ${clockOf(run)(event.t)}`,
    at: event.t,
    seq: event.seq,
    kind: carried.kind,
    fingerprint: carried.fingerprint,
    preview: carried.preview,
  };
}

/** `the URL`, `the authorization header`, `the body (decoded from gzip)`. */
function placeOf(carried: EgressCarried, event: EgressEvent): string {
  switch (carried.where) {
    case 'url':
      return 'the URL';
    case 'header':
      return carried.header ? `the ${carried.header} header` : 'a header';
    case 'body': {
      const encoding = event.contentEncoding?.trim();
      return encoding && encoding !== 'identity'
        ? `the body (decoded from ${encoding})`
        : 'the body';
    }
  }
}
