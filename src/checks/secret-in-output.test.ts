import { check } from './secret-in-output.ts';
import { runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'the user code on stdout is the prompt (RFC 8628 §3.3)',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'user_code', stream: 'stdout', line: 2 }],
      }),
    },
    {
      why: 'the user code on stderr is the prompt too',
      run: runWith({ polls: [[0, 'success']], hits: [{ kind: 'user_code', stream: 'stderr' }] }),
    },
    {
      why: 'a token in a file is secret-at-rest’s business, not this check’s',
      run: runWith({ polls: [[0, 'success']], hits: [{ kind: 'access_token', file: '~/.mycli' }] }),
    },
  ],
  invalid: [
    {
      why: 'prints the device code along with the user code',
      run: runWith({
        polls: [[0, 'success']],
        hits: [
          { kind: 'user_code', stream: 'stdout', line: 2 },
          { kind: 'device_code', stream: 'stdout', line: 3, at: 40 },
        ],
      }),
      message:
        /^printed device code in stdout; show only the user code and verification URI \(RFC 8628 §5\.5\)$/,
      evidence: [/^device code in stdout, line 3$/],
    },
    {
      why: 'logs the token response to stderr',
      run: runWith({
        polls: [[0, 'success']],
        hits: [
          { kind: 'access_token', stream: 'stderr', line: 9 },
          { kind: 'refresh_token', stream: 'stderr', line: 9 },
          { kind: 'id_token', stream: 'stderr', line: 9 },
        ],
      }),
      message: /^printed access token in stderr, refresh token in stderr and ID token in stderr;/,
      evidence: 3,
    },
    {
      why: 'an encoded token is still the token',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'refresh_token', stream: 'stdout', encoding: 'base64', line: 1 }],
      }),
      evidence: [/^refresh token \(base64\) in stdout, line 1$/],
    },
  ],
});
