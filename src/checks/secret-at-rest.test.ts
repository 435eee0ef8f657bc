import { check } from './secret-at-rest.ts';
import { runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'keeps every credential in memory',
      run: runWith({ polls: [[0, 'success']] }),
    },
    {
      why: 'output is secret-in-output’s business, not this check’s',
      run: runWith({ polls: [[0, 'success']], hits: [{ kind: 'access_token', stream: 'stdout' }] }),
    },
    {
      why: 'stores the token where a storage glob allows it',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'refresh_token', file: '~/.config/mycli/token.json', mode: 0o600 }],
      }),
      policy: { storage: ['~/.config/mycli/*.json'] },
    },
    {
      why: 'a file under XDG_CONFIG_HOME is matched as ~/.config',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'refresh_token', file: '$XDG_CONFIG_HOME/mycli/hosts.yml' }],
      }),
      policy: { storage: ['~/.config/mycli/**'] },
    },
    {
      why: 'a glob without ~/ allows a file in the working directory',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'access_token', file: '.mycli/session' }],
      }),
      policy: { storage: ['.mycli/*'] },
    },
  ],
  invalid: [
    {
      why: 'writes the refresh token in plain text to a config file; the default policy allows none',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'refresh_token', file: '~/.config/mycli/token.json', mode: 0o100644 }],
      }),
      message:
        /^refresh token stored in plain text in ~\/\.config\/mycli\/token\.json \(mode 644\); the policy allows no credential in any file$/,
      evidence: [
        /^refresh token in plain text in ~\/\.config\/mycli\/token\.json \(mode 644, raw at byte 0\)$/,
      ],
    },
    {
      why: 'keyring means the OS keyring, never a plain file',
      run: runWith({
        polls: [[0, 'success']],
        hits: [
          { kind: 'access_token', file: '$XDG_CACHE_HOME/mycli/cache.bin', encoding: 'base64' },
          { kind: 'refresh_token', file: '$XDG_CACHE_HOME/mycli/cache.bin', encoding: 'base64' },
        ],
      }),
      policy: { storage: 'keyring' },
      message:
        /^access token and refresh token stored base64-encoded in \$XDG_CACHE_HOME\/mycli\/cache\.bin \(mode 644\); the policy allows only the OS keyring$/,
      evidence: 2,
    },
    {
      why: 'a user code left in a log file counts too',
      run: runWith({
        polls: [[0, 'authorization_pending']],
        hits: [
          {
            kind: 'user_code',
            file: '$XDG_STATE_HOME/mycli/debug.log',
            encoding: 'user-code-variant',
          },
        ],
      }),
      message: /^user code stored in plain text \(reformatted\) in/,
    },
    {
      why: '* does not reach into a subfolder',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'refresh_token', file: '~/.config/mycli/backup/token.json' }],
      }),
      policy: { storage: ['~/.config/mycli/*.json'] },
      message: /no storage glob of the policy allows these files$/,
    },
    {
      why: 'a cwd glob does not allow the same path in HOME',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'access_token', file: '~/.mycli/session' }],
      }),
      policy: { storage: ['.mycli/*'] },
    },
    {
      why: 'no glob allows TMPDIR',
      run: runWith({
        polls: [[0, 'success']],
        hits: [{ kind: 'device_code', file: '$TMPDIR/mycli-123/state' }],
      }),
      policy: { storage: ['~/**', '**'] },
      evidence: [/^device code in plain text in \$TMPDIR\/mycli-123\/state/],
    },
    {
      why: 'the same file seen after both runs of a session is one piece of evidence',
      run: runWith({
        scenario: 'session',
        invocations: [
          { polls: [[0, 'success']], hits: [{ kind: 'refresh_token', file: '~/.mycli' }] },
          {
            startedAt: 10_000,
            polls: [[10_000, 'success']],
            hits: [{ kind: 'refresh_token', file: '~/.mycli' }],
          },
        ],
      }),
      evidence: 1,
    },
  ],
});
