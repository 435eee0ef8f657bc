/**
 * Presets: what it takes to check a real program unmodified — its command, the dialect and the
 * hosts the lab plays, and the environment that makes it run without a person (no browser, no
 * prompts, no update check). A task names one with `preset:` and overrides any field.
 *
 * The commands come from each program's own documentation; the client_ids are the programs' own
 * public ones (the lab must expect what the program sends). `requestedScopes` is what the
 * program asks for on its own, shown in reports against what the policy allows.
 */
import { fileURLToPath } from 'node:url';
import { DIALECT_HOSTS, type DialectName } from '../evidence/names.ts';

export interface Preset {
  name: string;
  /** One line for `--list-presets`. */
  description: string;
  /** The program the preset runs; `--program` or a task's `run` replaces it. */
  program: string;
  /** argv; `{program}` is the program. */
  run: string[];
  dialect: DialectName;
  hosts: string[];
  tls: boolean;
  clientId: string;
  env: Record<string, string>;
  /** What the program asks for by default, for reports (the policy's allow-list judges). */
  requestedScopes: string[];
  /** Seconds a run may take (these programs start slowly). */
  timeout: string;
  /** Where this preset's command and environment come from. */
  source: string;
  /**
   * The version the program must have, read from `program --version` before anything runs: an
   * older one cannot do what the preset asks of it, and is refused with both binaries named.
   */
  requires?: {
    args: string[];
    /** Captures the major and minor version in the output. */
    pattern: RegExp;
    minimum: readonly [major: number, minor: number];
    /** What older versions lack, for the refusal. */
    why: string;
  };
}

/**
 * Wrappers that ship in this package (`examples/real/`, like the demo's `samples/`), found from
 * this file in both `src/policy` and `dist/policy`. Presets for libraries and for programs that
 * need a daemon run one of these: the library has no command of its own.
 */
function bundled(name: string): string {
  return fileURLToPath(new URL(`../../examples/real/${name}`, import.meta.url));
}

/**
 * The client_id of presets whose program registers its own client at sign-in (RFC 7591; AWS
 * SSO OIDC `RegisterClient`): the lab accepts any client it registered, and reports say so.
 */
export const REGISTERED_BY_THE_PROGRAM = 'registered-by-the-program';

const NO_BROWSER = {
  // A browser that "opens" nothing: the program goes on to poll, as when a person opened it.
  BROWSER: 'true',
};

export const PRESETS: Readonly<Record<string, Preset>> = {
  gh: {
    name: 'gh',
    description:
      'GitHub CLI: gh auth login --web, then gh auth status and gh api user (github.com through the egress proxy)',
    program: 'gh',
    run: [
      'sh',
      '-c',
      'set -e; "$0" auth login --web --hostname github.com; "$0" auth status --hostname github.com; "$0" api user --hostname github.com',
      '{program}',
    ],
    dialect: 'github',
    hosts: ['github.com', 'api.github.com'],
    tls: false,
    // gh's own OAuth app (internal/authflow/flow.go).
    clientId: '178c6fc778ccc68e1d6a',
    env: {
      ...NO_BROWSER,
      GH_BROWSER: 'true',
      GH_NO_UPDATE_NOTIFIER: '1',
      GH_PROMPT_DISABLED: '1',
      GH_SPINNER_DISABLED: '1',
      GIT_TERMINAL_PROMPT: '0',
    },
    requestedScopes: ['repo', 'read:org', 'gist'],
    timeout: '90s',
    source: 'https://cli.github.com/manual/gh_auth_login',
  },
  az: {
    name: 'az',
    description:
      'Azure CLI: az login --use-device-code, then az account show (login.microsoftonline.com and management.azure.com through the egress proxy)',
    program: 'az',
    run: [
      'sh',
      '-c',
      'set -e; "$0" login --use-device-code --output none; "$0" account show --output none',
      '{program}',
    ],
    dialect: 'microsoft',
    hosts: ['login.microsoftonline.com', 'management.azure.com', 'graph.microsoft.com'],
    tls: false,
    // Azure CLI's first-party client_id (azure-cli-core's _profile.py).
    clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    env: {
      ...NO_BROWSER,
      AZURE_CORE_NO_COLOR: 'true',
      AZURE_CORE_DISABLE_PROGRESS_BAR: 'true',
      AZURE_CORE_SURVEY_MESSAGE: 'false',
    },
    requestedScopes: [
      'https://management.core.windows.net//.default',
      'offline_access',
      'openid',
      'profile',
    ],
    timeout: '120s',
    source: 'https://learn.microsoft.com/cli/azure/authenticate-azure-cli-interactively',
  },
  'msal-python': {
    name: 'msal-python',
    description:
      'MSAL Python (Debian python3-msal): examples/real/msal_device.py signs in with initiate_device_flow and acquire_token_by_device_flow, then GETs Graph /me (login.microsoftonline.com and graph.microsoft.com through the egress proxy)',
    // Debian's interpreter, where python3-msal is installed (a pyenv or venv python3 on PATH
    // would not have it).
    program: '/usr/bin/python3',
    run: ['{program}', bundled('msal_device.py')],
    dialect: 'microsoft',
    hosts: ['login.microsoftonline.com', 'graph.microsoft.com'],
    tls: false,
    // A library has no client_id of its own: the sample reads DEVICEBOUND_CLIENT_ID, and the
    // lab plays an app registration with this (GUID-shaped, like every Entra application id).
    clientId: 'fce4d985-7c4b-4424-be08-5c9726f73eca',
    env: { ...NO_BROWSER },
    // The sample asks for User.Read; MSAL adds openid, profile and offline_access itself
    // (msal/application.py _decorate_scope).
    requestedScopes: ['User.Read', 'openid', 'profile', 'offline_access'],
    timeout: '90s',
    // The shape of MSAL Python's own device flow sample.
    source:
      'https://github.com/AzureAD/microsoft-authentication-library-for-python/blob/1.21.0/sample/device_flow_sample.py',
  },
  'oidc-agent': {
    name: 'oidc-agent',
    description:
      "oidc-agent (Debian oidc-agent-cli): examples/real/oidc-agent-device.sh starts a private oidc-agent, runs oidc-gen --flow=device against the lab's own TLS issuer, then uses the account once (generic dialect)",
    program: 'oidc-gen',
    run: ['sh', bundled('oidc-agent-device.sh'), '{program}'],
    dialect: 'generic',
    hosts: [],
    tls: true,
    // oidc-gen has no client of its own: it uses a pre-registered one (-m, --client-id).
    clientId: 'devicebound-oidc-agent',
    env: {
      OIDC_ISSUER: '{issuer}',
      OIDC_CA_FILE: '{ca_file}',
    },
    // oidc-gen's default scope (src/defines/settings.h DEFAULT_SCOPE); the wrapper passes it.
    requestedScopes: ['openid', 'profile', 'offline_access'],
    timeout: '90s',
    source: 'https://indigo-dc.gitbook.io/oidc-agent/user/oidc-gen',
  },
  aws: {
    name: 'aws',
    description:
      'AWS CLI version 2: examples/real/aws-sso.sh writes a sandbox ~/.aws/config (an sso-session and a profile), runs aws sso login --no-browser (IAM Identity Center), then aws sts get-caller-identity (oidc, portal.sso and sts in us-east-1 through the egress proxy)',
    program: 'aws',
    run: ['sh', bundled('aws-sso.sh'), '{program}'],
    dialect: 'aws',
    hosts: [...DIALECT_HOSTS.aws],
    tls: false,
    // SSO OIDC clients are registered by the program itself (RegisterClient), with a fresh id
    // and secret: the lab accepts any client it registered.
    clientId: REGISTERED_BY_THE_PROGRAM,
    env: {
      ...NO_BROWSER,
      // No pager, no auto-prompt, no instance metadata lookups (a laptop has no IMDS).
      AWS_PAGER: '',
      AWS_CLI_AUTO_PROMPT: 'off',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    // The wrapper's sso-session asks for sso:account:access (`sso_registration_scopes`), as
    // `aws configure sso` suggests.
    requestedScopes: ['sso:account:access'],
    timeout: '120s',
    source: 'https://docs.aws.amazon.com/cli/latest/userguide/sso-configure-profile-token.html',
    requires: {
      args: ['--version'],
      pattern: /aws-cli\/(\d+)\.(\d+)/,
      minimum: [2, 0],
      why: 'AWS CLI version 1 has no `aws sso login` with sso-session profiles (IAM Identity Center sign-in needs version 2)',
    },
  },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}
