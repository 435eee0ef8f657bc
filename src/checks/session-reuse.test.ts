import { check } from './session-reuse.ts';
import { credential, refreshRequest, resourceRequest, runWith, testCheck } from './testing.ts';

const firstRun = {
  polls: [[0, 'success']] as const,
  requests: [resourceRequest(100, credential('access_token', 1))],
};

testCheck(check, {
  valid: [
    {
      why: 'the second run signs in again before it calls the resource',
      run: runWith({
        scenario: 'session',
        invocations: [
          firstRun,
          {
            startedAt: 10_000,
            polls: [[10_000, 'success']],
            requests: [resourceRequest(10_100, credential('access_token', 2))],
          },
        ],
      }),
    },
    {
      why: 'the task may reuse its session',
      run: runWith({
        scenario: 'session',
        invocations: [
          firstRun,
          { startedAt: 10_000, requests: [resourceRequest(10_100, credential('access_token', 1))] },
        ],
      }),
      policy: { session: 'reuse' },
    },
    {
      why: 'a single run using its own token',
      run: runWith(firstRun),
    },
  ],
  invalid: [
    {
      why: "the second run calls the resource with the first run's access token",
      run: runWith({
        scenario: 'session',
        invocations: [
          firstRun,
          { startedAt: 10_000, requests: [resourceRequest(10_100, credential('access_token', 1))] },
        ],
      }),
      message:
        /^presented 1 credential issued to an earlier run without its own device authorization first/,
      evidence: [
        /^run 2 presented the access token issued to run 1 at the resource at 10\.1 s \(success\)$/,
      ],
    },
    {
      why: 'presenting counts even when the lab rejects the expired token',
      run: runWith({
        scenario: 'session',
        invocations: [
          firstRun,
          {
            startedAt: 10_000,
            requests: [resourceRequest(10_100, credential('access_token', 1), 'invalid_token')],
            authorizations: [{ at: 10_200, polls: [[10_200, 'success']] }],
          },
        ],
      }),
      evidence: [/\(invalid_token\)$/],
    },
    {
      why: "the second run refreshes the first run's grant instead of signing in",
      run: runWith({
        scenario: 'session',
        invocations: [
          firstRun,
          {
            startedAt: 10_000,
            requests: [refreshRequest(10_100, credential('refresh_token', 1), { mints: 'r' })],
          },
        ],
      }),
      policy: { refresh: 'allowed' },
      evidence: [/^run 2 presented the refresh token issued to run 1 in a refresh_token grant/],
    },
    {
      why: "another task uses the first task's token: sharing needs both tasks to allow it",
      run: runWith({
        scenario: 'session',
        invocations: [
          { ...firstRun, task: 'deploy' },
          {
            task: 'list-repos',
            startedAt: 10_000,
            requests: [resourceRequest(10_100, credential('access_token', 1))],
          },
        ],
      }),
      policies: { 'list-repos': { session: 'reuse' } },
      evidence: [/issued to run 1 \(task 'deploy'\)/],
    },
  ],
});
