// RFC 6749 §3.1 and §3.2 require TLS at the authorization and token endpoints ("MUST require
// the use of TLS"), and RFC 8628 §3.1 carries that to the device authorization endpoint: a
// device code, user code or token sent over plain http can be read and replayed by anyone on
// the path. From traffic (analyze): any request of a flow over http to a host that is not
// loopback (the lab's own issuer is http on loopback, and that is fine).
import type { RequestEvent } from '../evidence/events.ts';
import { distinct, shortList } from './format.ts';
import { clockOf, requestsOf } from './timeline.ts';
import type { Check } from './types.ts';

export const check: Check = {
  meta: {
    id: 'insecure-transport',
    severity: 'high',
    description: 'Require TLS for every request of the flow outside loopback',
    standards: ['RFC 6749 §3.1', 'RFC 6749 §3.2', 'RFC 8628 §3.1'],
    fix: 'Use https for the device authorization, token and resource endpoints; refuse an http endpoint from discovery or configuration unless it is on loopback.',
  },

  evaluate({ run }) {
    const plain = requestsOf(run).filter(
      (event) => event.scheme === 'http' && !isLoopback(event.host ?? ''),
    );
    if (plain.length === 0) return null;
    const clock = clockOf(run);
    const hosts = distinct(plain.map((event) => event.host ?? '?'));
    return {
      message: `sent ${plain.length === 1 ? 'a request' : `${plain.length} requests`} of the flow over plain http to ${shortList(hosts)}`,
      evidence: plain.map((event) => ({
        summary: `${event.method} http://${event.host}${event.path} (${endpointName(event)}) at ${clock(event.t)}`,
        at: event.t,
        seq: event.seq,
      })),
    };
  },
};

function endpointName(event: RequestEvent): string {
  return event.endpoint === 'device_authorization' ? 'device authorization' : event.endpoint;
}

function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host === '::1' || /^127\./.test(host) || host.endsWith('.localhost')
  );
}
