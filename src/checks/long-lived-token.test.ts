import { captured } from './captured.ts';
import { check } from './long-lived-token.ts';
import { testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'an access token living one hour, the default maximum',
      run: captured({ lifetime: 3600 }),
    },
    { why: 'no lifetime known (the answer said none)', run: captured() },
    {
      why: 'a day-long token where the policy allows a day',
      run: captured({ lifetime: 86_400 }),
      policy: { maxTokenLifetimeMs: 86_400_000 },
    },
  ],
  invalid: [
    {
      why: 'an access token living 90 days (expires_in or the JWT exp)',
      run: captured({ lifetime: 7_776_000 }),
      message:
        /^1 token answer issued an access token living 7776000(\.0)? s; the policy allows 3600(\.0)? s$/,
      evidence: [/^token answer at 5\.0 s: the access token lives 7776000(\.0)? s$/],
    },
  ],
});
