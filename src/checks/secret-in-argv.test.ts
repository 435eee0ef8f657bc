import { check } from './secret-in-argv.ts';
import { runWith, testCheck } from './testing.ts';

const SIGNED_IN = [
  [0, 'authorization_pending'],
  [3000, 'success'],
] as const;

testCheck(check, {
  valid: [
    {
      why: 'starts no process at all',
      run: runWith({ polls: SIGNED_IN }),
    },
    {
      why: 'starts git and an editor with nothing of the sign-in in their argv or environment',
      run: runWith({ polls: SIGNED_IN, processes: [{ name: 'git' }, { name: 'vi' }] }),
    },
    {
      why: 'opens a browser on the verification URI with the user code, which is meant to be seen',
      run: runWith({
        polls: SIGNED_IN,
        processes: [{ name: 'xdg-open', hits: [{ kind: 'user_code', where: 'argv', index: 1 }] }],
      }),
    },
  ],
  invalid: [
    {
      why: 'runs curl with a bearer header on its command line',
      run: runWith({
        polls: SIGNED_IN,
        processes: [
          {
            name: 'curl',
            at: 3100,
            pid: 4242,
            hits: [{ kind: 'access_token', where: 'argv', index: 2 }],
          },
        ],
      }),
      message:
        /^put access token on the command line of curl, where every user of the machine can read it \(ps, \/proc\/PID\/cmdline\)$/,
      evidence: [
        /^access token in plain text in argv\[2\] of curl \(pid 4242, started at 3\.1 s\)$/,
      ],
    },
    {
      why: 'passes the device code to a helper base64-encoded in argv and the token in a git environment',
      run: runWith({
        polls: SIGNED_IN,
        processes: [
          {
            name: 'helper',
            at: 500,
            hits: [{ kind: 'device_code', where: 'argv', index: 1, encoding: 'base64' }],
          },
          {
            name: 'git',
            at: 3200,
            hits: [{ kind: 'access_token', where: 'env', variable: 'GIT_TOKEN' }],
          },
        ],
      }),
      message:
        /^put device code on the command line of helper, .*, and access token in the environment of git, which everything started from there inherits$/,
      evidence: [
        /^device code base64-encoded in argv\[1\] of helper \(pid \d+, started at 0\.5 s\)$/,
        /^access token in plain text in environment variable GIT_TOKEN of git/,
      ],
    },
    {
      why: 'hands the refresh token to a child only through its environment (info)',
      severity: 'info',
      run: runWith({
        polls: SIGNED_IN,
        processes: [
          { name: 'sync', hits: [{ kind: 'refresh_token', where: 'env', variable: 'RT' }] },
          { name: 'sync2', hits: [{ kind: 'refresh_token', where: 'env' }] },
        ],
      }),
      message: /^put refresh token in the environment of sync and sync2, /,
      evidence: [/environment variable RT of sync /, /an environment variable's name of sync2 /],
    },
  ],
});
