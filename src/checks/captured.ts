// A signed-in run as src/capture/flows.ts rebuilds one from a capture, for the checks that
// judge captures only (long-lived-token, refresh-issued, insecure-transport).
import type { RequestEvent } from '../evidence/events.ts';
import type { ScenarioRun } from '../evidence/model.ts';
import { runWith } from './testing.ts';

/** A signed-in run as a capture gives it: https requests, the token answer's lifetime. */
export function captured(
  options: { lifetime?: number; scheme?: string; host?: string; refresh?: boolean } = {},
): ScenarioRun {
  const run = runWith({
    polls: [
      [0, 'authorization_pending'],
      [5000, 'success'],
    ],
  });
  for (const event of run.events) {
    if (event.type !== 'request') continue;
    const request = event as RequestEvent;
    request.scheme = options.scheme ?? 'https';
    request.host = options.host ?? 'auth.example.com';
    if (request.outcome === 'success' && request.endpoint === 'token') {
      if (options.lifetime !== undefined) request.tokenLifetime = options.lifetime;
      if (options.refresh === false) {
        request.issued = request.issued.filter((ref) => ref.kind !== 'refresh_token');
      }
    }
  }
  return run;
}
