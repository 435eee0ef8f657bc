import { check } from './excess-scope.ts';
import { credential, refreshRequest, runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'asks only for identity scopes, which the default policy allows',
      run: runWith({ scope: 'openid profile', polls: [[0, 'success']] }),
    },
    {
      why: 'offline_access is fine where the policy allows it explicitly',
      run: runWith({ scope: 'openid offline_access', polls: [[0, 'success']] }),
      policy: { scopes: { allow: ['openid', 'offline_access'] } },
    },
    {
      why: 'a refresh that keeps to the allowed scopes',
      run: runWith({
        scope: 'repo:read',
        polls: [[0, 'success']],
        requests: [refreshRequest(4000, credential('refresh_token', 1), { scope: 'repo:read' })],
      }),
      policy: { scopes: { allow: ['repo:read'] } },
    },
  ],
  invalid: [
    {
      why: 'offline_access is excess unless the policy allows it',
      run: runWith({ scope: 'openid offline_access', polls: [[0, 'success']] }),
      message:
        /^requested 1 scope beyond the policy: offline_access \(task 'list-repos' allows openid, profile and email\)$/,
      evidence: [
        /^device authorization at 0\.0 s \(success\) asked for 'openid offline_access'; not allowed: offline_access$/,
      ],
    },
    {
      why: 'asking counts even when the lab refuses the request',
      run: runWith({ authorizations: [{ scope: 'admin write', outcome: 'invalid_scope' }] }),
      message: /2 scopes beyond the policy: admin and write/,
      evidence: [/\(invalid_scope\) asked for 'admin write'/],
    },
    {
      why: 'a refresh_token grant that asks for more than the task needs',
      run: runWith({
        scope: 'repo:read',
        polls: [[0, 'success']],
        requests: [
          refreshRequest(4000, credential('refresh_token', 1), { scope: 'repo:read repo:write' }),
        ],
      }),
      policy: { scopes: { allow: ['repo:read'] } },
      evidence: [/^refresh_token grant at 4\.0 s .*not allowed: repo:write$/],
    },
    {
      why: "the second task of a session run asks for what only the first task's policy allows",
      run: runWith({
        scenario: 'session',
        invocations: [
          { task: 'deploy', scope: 'write', polls: [[0, 'success']] },
          { task: 'list-repos', startedAt: 10_000, scope: 'write', polls: [[10_000, 'success']] },
        ],
      }),
      policies: {
        deploy: { scopes: { allow: ['write'] } },
        'list-repos': { scopes: { allow: ['read'] } },
      },
      message: /task 'list-repos' allows read\)$/,
      evidence: [/^device authorization at 10\.0 s/],
    },
  ],
});
