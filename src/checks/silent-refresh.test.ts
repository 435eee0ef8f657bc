import { check } from './silent-refresh.ts';
import { credential, refreshRequest, runWith, testCheck } from './testing.ts';

const refreshing = runWith({
  polls: [[0, 'success']],
  requests: [refreshRequest(4000, credential('refresh_token', 1), { mints: 'r1' })],
});

testCheck(check, {
  valid: [
    {
      why: 'the policy allows refresh',
      run: refreshing,
      policy: { refresh: 'allowed' },
    },
    {
      why: 'signs in again instead of refreshing',
      run: runWith({
        invocations: [
          { polls: [[0, 'success']] },
          { startedAt: 10_000, polls: [[10_000, 'success']] },
        ],
      }),
    },
    {
      why: 'the refresh happens in the run of a task that allows it',
      run: runWith({
        scenario: 'session',
        invocations: [
          { task: 'list-repos', polls: [[0, 'success']] },
          {
            task: 'sync',
            startedAt: 10_000,
            requests: [refreshRequest(10_100, credential('refresh_token', 1))],
          },
        ],
      }),
      policies: { sync: { refresh: 'allowed' } },
    },
  ],
  invalid: [
    {
      why: 'refreshes although the policy forbids it (the default)',
      run: refreshing,
      message:
        /^used the refresh_token grant 1 time without user action; the policy of task 'list-repos' forbids refresh$/,
      evidence: [/^refresh_token grant at 4\.0 s \(success\)$/],
    },
    {
      why: 'trying counts even when the lab refuses the refresh',
      run: runWith({
        polls: [[0, 'success']],
        requests: [
          refreshRequest(4000, credential('refresh_token', 1), { outcome: 'unauthorized_client' }),
        ],
      }),
      evidence: [/\(unauthorized_client\)$/],
    },
  ],
});
