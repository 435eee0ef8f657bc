import { invocationsOf, isRefreshGrant, requestsIn } from '../checks/timeline.ts';
import type { ScenarioRun } from '../evidence/model.ts';

/** How a later run of a session signed in: what the `session` scenario exists to tell. */
export type LaterSignIn =
  | 'new device authorization'
  | 'silent refresh'
  | 'reused an earlier credential'
  | 'no sign-in';

/**
 * What each run after the first did first: a new device authorization (the boundary holds),
 * a refresh_token grant, or presenting a credential an earlier run was issued.
 */
export function laterSignIns(run: ScenarioRun): LaterSignIn[] {
  const invocations = invocationsOf(run);
  return invocations.slice(1).map((invocation) => {
    const earlier = new Set(
      run.canaries
        .filter((canary) => canary.invocation < invocation.index)
        .map((canary) => canary.fingerprint),
    );
    for (const event of requestsIn(run, invocation)) {
      if (event.endpoint === 'device_authorization') return 'new device authorization';
      if (isRefreshGrant(event)) return 'silent refresh';
      if (event.presented.some((ref) => earlier.has(ref.fingerprint)))
        return 'reused an earlier credential';
    }
    return 'no sign-in';
  });
}
