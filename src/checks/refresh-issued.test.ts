import { captured } from './captured.ts';
import { check } from './refresh-issued.ts';
import { testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    { why: 'no refresh token in the token answer', run: captured({ refresh: false }) },
    {
      why: 'a refresh token where the policy allows refresh',
      run: captured(),
      policy: { refresh: 'allowed' },
    },
  ],
  invalid: [
    {
      why: 'a refresh token issued to a task that forbids refresh',
      run: captured(),
      message:
        /^1 token answer issued a refresh token; the policy of task 'list-repos' forbids refresh$/,
      evidence: [/^token answer at 5\.0 s \(device flow\) issued a refresh token$/],
    },
  ],
});
