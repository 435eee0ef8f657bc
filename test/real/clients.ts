// The real-client matrix: every unmodified device-flow client devicebound is checked against,
// how to run it, what each scenario is expected to report, and why — each finding explained
// from the client's own source at the version used. `npm run test:real` asserts the Debian
// half; `npm run matrix` (scripts/matrix.ts) runs all of them and writes docs/real-clients.md.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ScenarioName } from '../../src/evidence/names.ts';

const run = promisify(execFile);

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Check ids a scenario reports: all of `always`, and nothing beyond `always` and `may`. */
export interface Expectation {
  always: string[];
  /** Timing-dependent findings, each explained under `explanations`. */
  may?: string[];
  /** Exit code of each run of the program (the `session` scenario runs it twice). */
  exits: number[];
}

export interface RealClient {
  id: string;
  title: string;
  kind: 'debian' | 'npm';
  /** Policy file, relative to the package root. */
  policy: string;
  /** Programs (names on PATH or absolute paths) and files (relative to the root) it needs. */
  requires: string[];
  /** How to get what `requires` names. */
  install: string;
  /** What the task does, for the report. */
  task: string;
  versions(): Promise<Array<[string, string]>>;
  expected: Record<ScenarioName, Expectation>;
  /** Markdown, per check id: why this client triggers it, with links to its source. */
  explanations: Record<string, string>;
  /** Markdown bullets: clean verdicts worth a word, egress, caveats. */
  notes: string[];
  /**
   * The matrix also shows what `inventory` reports of the home the approve scenario left (for
   * clients whose caches inventory knows).
   */
  inventory?: true;
}

// ── versions ────────────────────────────────────────────────────────────────────────────────

/** Nothing these commands do may leave the machine: a proxy nobody listens on, a scratch HOME. */
function quietEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AZURE_CONFIG_DIR: join(home, '.azure'),
    AZURE_CORE_COLLECT_TELEMETRY: 'false',
    GH_NO_UPDATE_NOTIFIER: '1',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    https_proxy: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9',
    NO_PROXY: '',
  };
}

async function output(command: string, args: string[]): Promise<string> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const home = await mkdtemp(join(tmpdir(), 'devicebound-version-'));
  try {
    const { stdout, stderr } = await run(command, args, {
      env: quietEnv(home),
      timeout: 30_000,
      maxBuffer: 1 << 20,
    });
    return (stdout || stderr).trim();
  } catch (error) {
    return `unavailable (${(error as Error).message.split('\n')[0]})`;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function firstLine(command: string, args: string[]): Promise<string> {
  return (await output(command, args)).split('\n')[0] ?? '';
}

/** A `dpkg-query -f` field reference, `${Name}`. */
const field = (name: string) => `\${${name}}`;

/** `dpkg-query` version of each Debian package. */
async function dpkg(...packages: string[]): Promise<Array<[string, string]>> {
  const rows: Array<[string, string]> = [];
  for (const name of packages) {
    const version = await output('dpkg-query', ['-W', '-f', field('Version'), name]);
    rows.push([`Debian ${name}`, version || 'not installed']);
  }
  return rows;
}

/** A field of `dpkg -s` (e.g. Static-Built-Using: the Go modules gh was built with). */
async function builtUsing(name: string, modules: string[]): Promise<Array<[string, string]>> {
  const status = await output('dpkg-query', ['-W', '-f', field('Static-Built-Using'), name]);
  return modules.map((module) => {
    const match = new RegExp(`${module} \\(= ([^)]+)\\)`).exec(status);
    return [`built with ${module}`, match?.[1] ?? 'unknown'];
  });
}

/** The version of an npm package installed in this repository. */
function npm(...names: string[]): Array<[string, string]> {
  return names.map((name) => {
    const file = join(ROOT, 'node_modules', name, 'package.json');
    const version = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
      : 'not installed';
    return [`npm ${name}`, version];
  });
}

// ── requirements ────────────────────────────────────────────────────────────────────────────

/** What is missing to run a client, or an empty list. */
export function missing(client: RealClient): string[] {
  return client.requires.filter((need) => {
    if (need.startsWith('/')) return !existsSync(need);
    if (need.includes('/')) return !existsSync(join(ROOT, need));
    return !(process.env.PATH ?? '')
      .split(delimiter)
      .some((dir) => dir !== '' && existsSync(join(dir, need)));
  });
}

// ── the clients ─────────────────────────────────────────────────────────────────────────────

const GH = 'https://github.com/cli/cli/blob/v2.23.0';
const GH_OAUTH = 'https://github.com/cli/oauth/blob/v1.0.1';
const GO_GH = 'https://github.com/cli/go-gh/blob/v1.0.0';
const MSAL_PY =
  'https://github.com/AzureAD/microsoft-authentication-library-for-python/blob/1.21.0';
const MSAL_EXT =
  'https://github.com/AzureAD/microsoft-authentication-extensions-for-python/blob/1.0.0';
const REQUESTS = 'https://github.com/psf/requests/blob/v2.28.1';
const AZ = 'https://github.com/Azure/azure-cli/blob/azure-cli-2.45.0/src';
const OIDC_AGENT = 'https://github.com/indigo-dc/oidc-agent/blob/v4.2.6';
const OCTOKIT = 'https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4';
const MSAL_JS = 'https://github.com/AzureAD/microsoft-authentication-library-for-js/blob';
const AWS_CLI = 'https://github.com/aws/aws-cli/blob/2.9.19/awscli';

/** The same timing-dependent "one poll after expiry" of clients that check, then sleep. */
const CHECK_THEN_SLEEP =
  'The lab counts a poll that arrives after `expires_in` and is answered `expired_token`.';

export const CLIENTS: RealClient[] = [
  {
    id: 'gh',
    title: 'GitHub CLI (gh)',
    kind: 'debian',
    policy: 'test/fixtures/real/gh.yaml',
    requires: ['gh'],
    install: 'apt-get install gh',
    task: '`gh auth login --web --hostname github.com`, then `gh auth status` and `gh api user` (preset `gh`), against github.com and api.github.com played by the lab through the egress proxy',
    async versions() {
      return [
        ['gh --version', await firstLine('gh', ['--version'])],
        ...(await dpkg('gh')),
        ...(await builtUsing('gh', ['golang-github-cli-oauth', 'golang-github-cli-go-gh'])),
      ];
    },
    expected: {
      approve: { always: ['excess-scope', 'secret-at-rest'], exits: [0] },
      deny: { always: ['excess-scope'], exits: [1] },
      expire: { always: ['excess-scope'], exits: [1] },
      'slow-down': { always: ['excess-scope', 'slow-down-abort'], exits: [1] },
      'server-error': { always: ['excess-scope'], exits: [1] },
      session: { always: ['excess-scope', 'secret-at-rest'], exits: [0, 0] },
      fault: { always: ['excess-scope'], exits: [1] },
    },
    explanations: {
      'excess-scope': `gh asks for \`repo read:org gist\` on every login, whatever the command: \`minimumScopes := []string{"repo", "read:org", "gist"}\` ([internal/authflow/flow.go#L72-L73](${GH}/internal/authflow/flow.go#L72-L73)). The policy allows \`repo\` and \`read:org\` because the task's own \`gh auth status\` fails without them ([pkg/cmd/auth/shared/oauth_scopes.go#L77-L105](${GH}/pkg/cmd/auth/shared/oauth_scopes.go#L77-L105)); \`gist\` (create and read every gist of the user) is asked for and never used.`,
      'secret-at-rest': `After sign-in gh stores the token in plain text: \`cfg.Set(hostname, "oauth_token", token)\` then \`cfg.Write()\` ([internal/authflow/flow.go#L55-L58](${GH}/internal/authflow/flow.go#L55-L58)); go-gh writes \`hosts.yml\` with mode 0600 ([pkg/config/config.go#L284-L296](${GO_GH}/pkg/config/config.go#L284-L296)) under \`$XDG_CONFIG_HOME/gh\` (the sandbox's \`~/.config/gh/hosts.yml\`). gh 2.23 has no keyring support at all (go-keyring arrived in 2.24). By design, and the reason \`gh auth status\` works later; the policy allows no credential in a file.`,
      'slow-down-abort': `cli/oauth v1.0.1 (the version Debian's gh is built with, see \`Static-Built-Using\`) keeps polling only on \`authorization_pending\`; any other error, \`slow_down\` included, ends the flow: \`else if !(errors.As(err, &apiError) && apiError.Code == "authorization_pending") { return nil, err }\` ([device/device_flow.go#L167-L173](${GH_OAUTH}/device/device_flow.go#L167-L173)). gh prints \`failed to authenticate via web browser: … (slow_down)\` and exits 1. \`slow_down\` handling came in cli/oauth v1.2.1.`,
    },
    notes: [
      `**No poll-interval finding in any scenario**: gh sleeps the full interval before every poll, the first included (\`poll.Wait()\` at the top of the loop, [device/device_flow.go#L145-L148](${GH_OAUTH}/device/device_flow.go#L145-L148); [device/poller.go#L30-L39](${GH_OAUTH}/device/poller.go#L30-L39)).`,
      `**expire is clean**: the poller is a \`context.WithTimeout(ctx, expiresIn)\` started when the device code arrived ([device/poller.go#L15-L22](${GH_OAUTH}/device/poller.go#L15-L22)); the wait before the next poll ends on the deadline first, gh exits 1 with \`context deadline exceeded\` and never polls after expiry.`,
      `**server-error**: the bare 503 ends the flow at once (no retry, so no \`error-backoff\`): the status is not checked, the body has no \`authorization_pending\`, so it is an error ([device/device_flow.go#L162-L173](${GH_OAUTH}/device/device_flow.go#L162-L173)).`,
      '**session**: the second `gh auth login` starts a new device authorization; it does not reuse `hosts.yml` (it overwrites it).',
      `**fault**: gh asks for a form-encoded answer, and \`url.ParseQuery\` reads the cut-off form without complaint ([api/form.go#L78-L90](${GH_OAUTH}/api/form.go#L78-L90)): the cut falls after \`access_token\`, so gh has a whole token (the lab records the answer as \`truncated_response\`, not a success). It then asks GraphQL for the user name (\`getViewer\` in [internal/authflow/flow.go](${GH}/internal/authflow/flow.go)) before it saves anything, gets the 500 page and exits 1 with the status only: nothing stored, nothing printed. With \`GH_DEBUG=api\` gh's traffic logger would print every response body, the token answer included.`,
    ],
  },
  {
    id: 'az',
    title: 'Azure CLI (az)',
    kind: 'debian',
    policy: 'test/fixtures/real/az.yaml',
    requires: ['az'],
    install: 'apt-get install azure-cli',
    task: '`az login --use-device-code --output none`, then `az account show --output none` (preset `az`), against login.microsoftonline.com and management.azure.com played by the lab through the egress proxy',
    async versions() {
      return [
        ['az version', (await output('az', ['version', '--output', 'json'])).replace(/\s+/g, ' ')],
        ...(await dpkg(
          'azure-cli',
          'python3-azure-cli-core',
          'python3-azure-cli-telemetry',
          'python3-msal',
          'python3-msal-extensions',
          'python3-requests',
        )),
      ];
    },
    // unexpected-egress (info): az's connectivity and version checks and its telemetry, in
    // every scenario (each has a fresh config folder); see the note.
    expected: {
      approve: {
        always: ['excess-scope', 'secret-at-rest', 'silent-refresh', 'unexpected-egress'],
        exits: [0],
      },
      deny: { always: ['excess-scope', 'unexpected-egress'], exits: [1] },
      // MSAL's loop: see the poll-after-terminal explanation; almost always one poll late.
      expire: {
        always: ['excess-scope', 'unexpected-egress'],
        may: ['poll-after-terminal'],
        exits: [1],
      },
      'slow-down': {
        always: ['excess-scope', 'secret-at-rest', 'silent-refresh', 'unexpected-egress'],
        exits: [0],
      },
      'server-error': {
        always: ['excess-scope', 'secret-at-rest', 'unexpected-egress'],
        exits: [1],
      },
      session: {
        always: ['excess-scope', 'secret-at-rest', 'silent-refresh', 'unexpected-egress'],
        exits: [0, 0],
      },
      fault: { always: ['excess-scope', 'unexpected-egress'], exits: [1] },
    },
    explanations: {
      'unexpected-egress':
        'az contacts `azure.microsoft.com` (connectivity check), `raw.githubusercontent.com` (version check) and `dc.services.visualstudio.com` (telemetry) on every run; the policy allows no other destination. Each request was read and answered 503, none forwarded, and none carried a credential (see the note on other destinations).',
      'excess-scope': `\`offline_access\`: MSAL Python adds \`openid profile offline_access\` to every request and refuses to be told otherwise (\`decorated = scope_set | reserved_scope\`, [msal/application.py#L578-L595](${MSAL_PY}/msal/application.py#L578-L595)). az signs in for ARM's \`https://management.core.windows.net//.default\`, which the policy allows.`,
      'secret-at-rest': `Two files, both by design of az on Linux:

- \`~/.azure/msal_token_cache.json\` (approve, slow-down, session): access, ID and refresh tokens in plain JSON. az builds a plain \`FilePersistence\` unless \`core.encrypt_token_cache\` is set, and the default is encryption on Windows only ([azure-cli-core/azure/cli/core/auth/persistence.py#L36-L52](${AZ}/azure-cli-core/azure/cli/core/auth/persistence.py#L36-L52), [azure-cli-core/azure/cli/core/util.py#L1354-L1362](${AZ}/azure-cli-core/azure/cli/core/util.py#L1354-L1362)); msal-extensions writes the whole cache on every change, mode 0600 ([msal_extensions/token_cache.py#L62-L70](${MSAL_EXT}/msal_extensions/token_cache.py#L62-L70), [msal_extensions/persistence.py#L136-L154](${MSAL_EXT}/msal_extensions/persistence.py#L136-L154)).
- \`~/.azure/msal_http_cache.bin\` (server-error): the **device code**, twice, mode 0644. MSAL's throttling cache keeps a POST answered 429/5xx for its Retry-After (60 s by default) ([msal/throttled_http_client.py#L16-L40](${MSAL_PY}/msal/throttled_http_client.py#L16-L40), [#L63-L81](${MSAL_PY}/msal/throttled_http_client.py#L63-L81)), storing the whole \`requests.Response\` ([msal/individual_cache.py#L269-L283](${MSAL_PY}/msal/individual_cache.py#L269-L283)), whose pickled state includes the \`request\` it answered ([requests/models.py#L646-L657](${REQUESTS}/requests/models.py#L646-L657)): the form body with \`device_code=…\` and MSAL's duplicate \`code=…\`. az backs that cache with a pickle file rewritten on every insert, opened with plain \`open(…, 'wb')\` ([azure-cli-core/azure/cli/core/auth/binary_cache.py#L52-L74](${AZ}/azure-cli-core/azure/cli/core/auth/binary_cache.py#L52-L74); the file is named in [auth/identity.py#L78-L80](${AZ}/azure-cli-core/azure/cli/core/auth/identity.py#L78-L80)). The device code is dead once the flow fails, but it is a credential written world-readable, and the same path stores any 5xx answer to a refresh-token grant with the refresh token in the body.`,
      'silent-refresh': `Right after sign-in az lists tenants (\`GET /tenants\`) and, for each, builds a new identity for \`login.microsoftonline.com/{tenant}\` and asks it for a token ([azure-cli-core/azure/cli/core/_profile.py#L731-L756](${AZ}/azure-cli-core/azure/cli/core/_profile.py#L731-L756)). That realm has no access token in the cache, so MSAL's \`acquire_token_silent\` redeems the refresh token from the device flow. In \`session\` (tokens live 2 s) there is one more per run: MSAL treats an access token with less than 5 minutes left as expired (\`if expires_in < 5*60\`, [msal/application.py#L1343-L1349](${MSAL_PY}/msal/application.py#L1343-L1349)), so the \`organizations\` token used for \`/tenants\` is refreshed as well. Nobody approved those grants; it is how az finds subscriptions.`,
      'poll-after-terminal': `MSAL Python checks the deadline before each 1-second sleep, not after the last one: \`for i in range(flow.get("interval", 5)): if exit_condition(flow): return result; time.sleep(1)\` ([msal/oauth2cli/oauth2.py#L383-L389](${MSAL_PY}/msal/oauth2cli/oauth2.py#L383-L389)). The poll after the last sleep goes out up to a second after \`expires_at\`, which MSAL itself computes from when it received the answer ([#L328-L330](${MSAL_PY}/msal/oauth2cli/oauth2.py#L328-L330)). With a 1 s interval that poll lands after expiry almost every time (\`may\`: a slow answer can make it arrive a few ms early); with the default 5 s, in about one run in five. ${CHECK_THEN_SLEEP}`,
    },
    notes: [
      `**Other destinations (intercepted, read, answered 503; nothing forwarded):** \`HEAD https://azure.microsoft.com/\` — the connectivity check of the version check \`handle_version_update()\` at start-up ([\`azure-cli-core/azure/cli/core/__init__.py#L83-L84\`](${AZ}/azure-cli-core/azure/cli/core/__init__.py#L83-L84), \`check_connectivity\` in [azure-cli-core/azure/cli/core/util.py#L316-L318](${AZ}/azure-cli-core/azure/cli/core/util.py#L316-L318), [#L854-L861](${AZ}/azure-cli-core/azure/cli/core/util.py#L854-L861)) — then \`GET https://raw.githubusercontent.com/Azure/azure-cli/main/src/azure-cli-core/setup.py\` and \`…/azure-cli-telemetry/setup.py\`, where that version check reads the latest versions (\`get_latest_from_github\` in the same util.py), and \`POST https://dc.services.visualstudio.com/v2/track\`, the telemetry upload ([\`azure-cli-telemetry/azure/cli/telemetry/__init__.py#L49-L70\`](${AZ}/azure-cli-telemetry/azure/cli/telemetry/__init__.py#L49-L70)); the preset leaves telemetry on, as a user's az has it. All are \`unexpected-egress\` (info) under a policy that allows none; **none carried a token, device code or user code** (the proxy searched URL, headers and the ~3.6 KB telemetry body), so no \`secret-in-telemetry\`.`,
      `**server-error**: MSAL raises \`HTTPError\` on the 503 (\`if resp.status_code >= 500: resp.raise_for_status()\`, [msal/oauth2cli/oauth2.py#L238-L239](${MSAL_PY}/msal/oauth2cli/oauth2.py#L238-L239)); az exits 1 without retrying.`,
      '**slow-down**: MSAL adds 5 s per `slow_down` and keeps it (see msal-python); az signs in.',
      `**fault**: the same MSAL logs the whole cut-off token answer at ERROR (see msal-python's \`secret-in-output\`), but az configures logging first: knack puts a console handler on the root logger at CRITICAL unless \`--debug\` is given (\`'root': logging.CRITICAL\` in every level but debug, knack 0.10.1 \`knack/log.py\` L203-L207), so the record is dropped and az exits 1 with its own message. Under \`az login --debug\` the root level is DEBUG and the token answer would reach stderr. No log file: az's file logging is off unless \`logging.enable_log_file\` is set.`,
      "**Line numbers** for azure-cli are from Debian's installed copy of the `azure-cli-2.45.0` tag (Debian 2.45.0-1 merges the tag; the GitHub repository is too large to load here). MSAL Python, msal-extensions and requests were compared byte for byte with their tags.",
    ],
  },
  {
    id: 'msal-python',
    title: 'MSAL Python',
    kind: 'debian',
    policy: 'test/fixtures/real/msal-python.yaml',
    requires: ['/usr/bin/python3', '/usr/lib/python3/dist-packages/msal/__init__.py'],
    install: 'apt-get install python3-msal',
    task: '[`examples/real/msal_device.py`](../examples/real/msal_device.py) under `/usr/bin/python3` (preset `msal-python`): `PublicClientApplication` for `https://login.microsoftonline.com/organizations`, `initiate_device_flow(["User.Read"])`, `acquire_token_by_device_flow`, then `GET https://graph.microsoft.com/v1.0/me`',
    async versions() {
      return [
        [
          'msal, requests (Debian python3)',
          await firstLine('/usr/bin/python3', [
            '-c',
            'import msal, requests, sys; print("msal", msal.__version__, "requests", requests.__version__, "python", sys.version.split()[0])',
          ]),
        ],
        ...(await dpkg('python3-msal', 'python3-requests')),
      ];
    },
    expected: {
      approve: { always: ['excess-scope'], exits: [0] },
      deny: { always: ['excess-scope'], exits: [1] },
      expire: { always: ['excess-scope'], may: ['poll-after-terminal'], exits: [1] },
      'slow-down': { always: ['excess-scope'], exits: [0] },
      'server-error': { always: ['excess-scope'], exits: [1] },
      session: { always: ['excess-scope'], exits: [0, 0] },
      fault: { always: ['excess-scope', 'secret-in-output'], exits: [1] },
    },
    explanations: {
      'secret-in-output': `**A real leak on MSAL's error path** (fault): when a token answer does not parse, MSAL logs the whole body before it re-raises: \`self.logger.exception("Token response is not in json format: %s", resp.text)\` ([msal/oauth2cli/oauth2.py#L240-L248](${MSAL_PY}/msal/oauth2cli/oauth2.py#L240-L248)). An app that has not configured logging (the documented sample has no logging setup) gets Python's last-resort handler, which writes records at WARNING and above to stderr: \`Token response is not in json format: {"token_type":"Bearer",…,"access_token":"…","refresh_token":"…\` on stderr line 2, then the traceback (which names no value). Any app that does configure logging sends the same record, tokens included, to its log files.`,
      'excess-scope': `\`offline_access\`: MSAL adds \`openid profile offline_access\` to every scope list and raises \`ValueError\` if the app passes any of them itself, so an app cannot ask for less ([msal/application.py#L578-L595](${MSAL_PY}/msal/application.py#L578-L595)). The sample asks for \`User.Read\` only.`,
      'poll-after-terminal': `Same loop as az: the deadline is checked before each 1 s sleep, and the poll after the last sleep is not re-checked ([msal/oauth2cli/oauth2.py#L383-L389](${MSAL_PY}/msal/oauth2cli/oauth2.py#L383-L389)), so one poll goes out up to a second past \`expires_at\` ([#L328-L330](${MSAL_PY}/msal/oauth2cli/oauth2.py#L328-L330)); the lab answers it \`expired_token\`, MSAL returns that dict, the sample exits 1. Seen in every run at a 1 s interval (\`may\` only because a slow answer can make it arrive a few ms before expiry). ${CHECK_THEN_SLEEP}`,
    },
    notes: [
      `**slow-down is clean**: \`slow_down\` adds 5 s and keeps it for later polls (\`flow["interval"] = flow.get("interval", 5) + 5\`, [msal/oauth2cli/oauth2.py#L347-L349](${MSAL_PY}/msal/oauth2cli/oauth2.py#L347-L349)).`,
      `**No secret at rest**: \`PublicClientApplication\` keeps an in-memory \`TokenCache\` and an in-memory HTTP cache unless the app passes persistent ones, which the sample does not — unlike az (same MSAL), which persists both.`,
      `**server-error**: \`HTTPError\` is raised out of \`acquire_token_by_device_flow\` on the 503 (no retry) ([msal/oauth2cli/oauth2.py#L238-L239](${MSAL_PY}/msal/oauth2cli/oauth2.py#L238-L239)); the traceback names the URL only.`,
      `**The first poll goes out at once** (no sleep before it, allowed by the judging rules), then every \`interval\` in 1 s steps.`,
    ],
  },
  {
    id: 'oidc-agent',
    title: 'oidc-agent',
    kind: 'debian',
    policy: 'test/fixtures/real/oidc-agent.yaml',
    requires: ['oidc-gen', 'oidc-agent', 'oidc-add', 'oidc-token', 'curl'],
    install: 'apt-get install oidc-agent-cli curl',
    task: '[`examples/real/oidc-agent-device.sh`](../examples/real/oidc-agent-device.sh) (preset `oidc-agent`): a private `oidc-agent`, then `oidc-gen --flow=device --client-id … --client-secret= --scope "openid profile offline_access" --cert-path {ca_file} --pw-env --prompt=none` against the lab\'s own issuer over https (later runs in the same sandbox: `oidc-add --pw-env` of the stored account), then `oidc-token` piped into `curl -H @-` to call the lab\'s resource',
    async versions() {
      return [
        ['oidc-gen --version', await firstLine('oidc-gen', ['--version'])],
        ['oidc-agent --version', await firstLine('oidc-agent', ['--version'])],
        ['curl --version', await firstLine('curl', ['--version'])],
        ...(await dpkg('oidc-agent-cli', 'liboidc-agent4', 'curl')),
      ];
    },
    expected: {
      approve: { always: ['excess-scope'], exits: [0] },
      deny: { always: ['excess-scope'], exits: [1] },
      expire: { always: ['excess-scope'], may: ['poll-after-terminal'], exits: [1] },
      'slow-down': { always: ['excess-scope', 'poll-slow-down'], exits: [0] },
      'server-error': { always: ['excess-scope'], exits: [1] },
      session: {
        always: ['excess-scope', 'session-reuse', 'silent-refresh'],
        exits: [0, 0],
      },
      fault: { always: ['excess-scope'], exits: [1] },
    },
    explanations: {
      'excess-scope': `\`offline_access\`: oidc-agent adds \`openid\` and \`offline_access\` to whatever scope it is given (every issuer but Google's; [src/account/account.c#L270-L281](${OIDC_AGENT}/src/account/account.c#L270-L281), applied by \`account_setScope\`, [src/account/setandget.c#L195-L200](${OIDC_AGENT}/src/account/setandget.c#L195-L200)), because it exists to keep a refresh token and mint access tokens from it: an account without one is refused (\`"Could not get a refresh token"\`, [src/oidc-agent/oidcd/oidcd_handler.c#L940-L956](${OIDC_AGENT}/src/oidc-agent/oidcd/oidcd_handler.c#L940-L956)). The wrapper passes oidc-gen's default scope \`openid profile offline_access\` ([src/defines/settings.h#L22-L25](${OIDC_AGENT}/src/defines/settings.h#L22-L25)) since \`--prompt=none\` needs an explicit \`--scope\` ([src/oidc-gen/promptAndSet/scope.c#L26-L34](${OIDC_AGENT}/src/oidc-gen/promptAndSet/scope.c#L26-L34)); \`--scope openid profile\` would be sent as the same three. The task itself needs no offline access.`,
      'poll-slow-down': `oidc-gen adds one second, not five: \`if (strequal(_error, OIDC_SLOW_DOWN)) { interval++; … continue; }\` ([src/utils/oidc/device.c#L36-L41](${OIDC_AGENT}/src/utils/oidc/device.c#L36-L41)). With the lab's 1 s interval the poll after \`slow_down\` comes 2 s later instead of 6; the lab answers that early poll \`slow_down\` again (RFC 8628 lets it), and the next comes 3 s later instead of 11.`,
      'session-reuse': `The second run finds the account that the first run's \`oidc-gen\` stored (encrypted) and loads it with \`oidc-add\`, as oidc-agent's documentation tells users to; the agent immediately redeems the first run's refresh token: \`addAccount\` calls \`getAccessTokenUsingRefreshFlow(account, FORCE_NEW_TOKEN, …)\` ([src/oidc-agent/oidcd/oidcd_handler.c#L253-L273](${OIDC_AGENT}/src/oidc-agent/oidcd/oidcd_handler.c#L253-L273)). No new device authorization: that is oidc-agent's model (sign in once, tokens for every later run), which the policy's \`session: ephemeral\` forbids. The wrapper chooses \`oidc-add\` for an existing account; \`oidc-gen\` again would need \`--reauthenticate\`.`,
      'silent-refresh': `Same refresh as \`session-reuse\`: loading an account forces a refresh-token grant ([src/oidc-agent/oidcd/oidcd_handler.c#L264-L265](${OIDC_AGENT}/src/oidc-agent/oidcd/oidcd_handler.c#L264-L265)); the policy forbids refresh. Within one run there is none: \`oidc-token\` right after \`oidc-gen\` gets the access token the device flow returned.`,
      'poll-after-terminal': `oidc-gen checks expiry in whole seconds and before sleeping: \`expires_at = time(NULL) + expires_in\` ([src/oidc-gen/gen_handler.c#L439](${OIDC_AGENT}/src/oidc-gen/gen_handler.c#L439)), then \`while (expires_at > time(NULL)) { sleep(interval); … poll … }\` ([src/utils/oidc/device.c#L19-L24](${OIDC_AGENT}/src/utils/oidc/device.c#L19-L24)). The poll after the last sleep is not re-checked, so it can go out up to one interval after expiry; whether it does depends on where the second boundaries fall (4 of 5 runs at a 1 s interval). ${CHECK_THEN_SLEEP}`,
    },
    notes: [
      `**No secret at rest, honestly**: the account file \`~/.config/oidc-agent/devicebound\` holds the refresh token encrypted with the \`--pw-env\` password, so no canary is found in it. The wrapper keeps that password in \`$TMPDIR/oidc-agent-device.pw\` (mode 600) so the \`session\` run can load the account — a stand-in for the person typing it; with both files at hand the token is recoverable. \`~/.config/oidc-agent/issuer.config\` holds the issuer URL and account name only.`,
      `**The token is in no output and no argv**: \`oidc-token\` prints the access token on stdout by design (it is meant for \`$(oidc-token …)\` or a pipe), which would be a true but by-design \`secret-in-output\`; the wrapper pipes it into \`curl --header @-\` so it appears in neither the captured output nor any command line (\`$(…)\` into \`curl -H\` would put it in curl's argv).`,
      `**No leftover process**: the wrapper's \`trap\` stops its private agent on every exit (\`oidc-agent --kill\`).`,
      `**A start-up race, in oidc-agent itself**: \`oidc-agent\` prints \`OIDC_SOCK\` and exits before its daemon listens on that socket (\`printEnvs\` right after \`daemonize()\`, \`ipc_bindAndListen\` only after \`startOidcd\`, [src/oidc-agent/oidcp/oidcp.c#L115-L129](${OIDC_AGENT}/src/oidc-agent/oidcp/oidcp.c#L115-L129)), so an \`oidc-gen\` started at once can fail with \`Could not connect to oidc-agent\`. Recording execs with strace slows the daemon's forks enough to hit it in about one scenario in three; the wrapper waits until the agent answers (\`oidc-add --loaded\`, 5 s at most), as a script using oidc-agent should: waiting for the socket file alone still lost, rarely, between its bind and its listen.`,
      `**Every poll re-fetches \`/.well-known/openid-configuration\`** first (the agent looks the endpoints up per request); harmless, visible in the timeline.`,
      `**server-error**: an error answer other than pending/slow_down ends the flow (\`oidc_seterror(_error)\`, [src/utils/oidc/device.c#L46-L49](${OIDC_AGENT}/src/utils/oidc/device.c#L46-L49)); oidc-gen exits 1, no retry.`,
      `**fault**: the cut-off token answer does not parse, oidc-gen reports an error and exits 1. Its JSON parser logs to syslog, not to the terminal: \`logger(ERROR, "Parsing failed somewhere around %s", cJSON_GetErrorPtr())\` names only the text from where parsing failed (past the token here), but the line before it, \`logger(DEBUG, "Parsing json '%s'", minJson)\`, writes every JSON it parses, token answers included, to syslog (\`LOG_AUTHPRIV\`) when the log level is debug ([src/utils/json.c#L55-L73](${OIDC_AGENT}/src/utils/json.c#L55-L73), [src/utils/logger.c#L61-L70](${OIDC_AGENT}/src/utils/logger.c#L61-L70)). devicebound does not read syslog: a channel it does not see.`,
      `**Not exercised by the lab**: a device authorization answer without \`expires_in\` makes oidc-gen poll forever (\`expires_at ? … : 1\`, [src/utils/oidc/device.c#L19](${OIDC_AGENT}/src/utils/oidc/device.c#L19)); the lab always sends it.`,
    ],
  },
  {
    id: 'aws',
    title: 'AWS CLI version 2 (aws sso login)',
    kind: 'debian',
    inventory: true,
    policy: 'test/fixtures/real/aws.yaml',
    requires: ['/usr/bin/aws'],
    install: 'apt-get install awscli',
    task: '[`examples/real/aws-sso.sh`](../examples/real/aws-sso.sh) with `/usr/bin/aws` (preset `aws`): a sandbox `~/.aws/config` with `[sso-session lab]` and `[profile lab]`, `aws sso login --profile lab --no-browser`, then `aws sts get-caller-identity --profile lab`, against `oidc.us-east-1.amazonaws.com`, `portal.sso.us-east-1.amazonaws.com` and `sts.us-east-1.amazonaws.com` played by the lab through the egress proxy',
    async versions() {
      return [
        ['aws --version', await firstLine('/usr/bin/aws', ['--version'])],
        ...(await dpkg('awscli')),
      ];
    },
    expected: {
      approve: { always: ['poll-interval', 'secret-at-rest'], exits: [0] },
      deny: { always: ['poll-interval', 'secret-at-rest'], exits: [254] },
      expire: { always: ['poll-interval', 'poll-after-terminal', 'secret-at-rest'], exits: [255] },
      'slow-down': { always: ['poll-interval', 'secret-at-rest'], exits: [0] },
      'server-error': {
        always: ['poll-interval', 'secret-at-rest'],
        may: ['error-backoff'],
        exits: [0],
      },
      session: { always: ['poll-interval', 'secret-at-rest', 'silent-refresh'], exits: [0, 0] },
      fault: { always: ['poll-interval', 'secret-at-rest'], exits: [255] },
    },
    explanations: {
      'poll-interval': `The second poll follows the first at once, in every scenario. \`SSOTokenFetcher._poll_for_token\` makes one \`CreateToken\` attempt right after \`StartDeviceAuthorization\` ("the client may be pre-authorized", [botocore/utils.py#L2956-L2964](${AWS_CLI}/botocore/utils.py#L2956-L2964)), prints the code, then enters \`while True:\` whose body polls first and sleeps after ([#L2976-L2982](${AWS_CLI}/botocore/utils.py#L2976-L2982)): poll 2 comes 0 s after poll 1. From then on it sleeps \`interval\` between polls (the answer's, 5 s when absent, [#L2954](${AWS_CLI}/botocore/utils.py#L2954)).`,
      'secret-at-rest': `By design of the AWS CLI, three caches, all JSON in plain text, mode 0600 (\`os.open(…, O_WRONLY | O_CREAT, 0o600)\` in \`JSONFileCache.__setitem__\`, [botocore/utils.py#L3245-L3260](${AWS_CLI}/botocore/utils.py#L3245-L3260)):

- \`~/.aws/sso/cache/<sha1>.json\`, the **client registration** (\`clientId\`, \`clientSecret\`, \`expiresAt\`, 90 days): cached as soon as \`RegisterClient\` answers, before any authorization, so it is there in deny, expire and fault too (\`self._cache[cache_key] = registration\`, [botocore/utils.py#L2917-L2923](${AWS_CLI}/botocore/utils.py#L2917-L2923); the cache is \`JSONFileCache(SSO_TOKEN_DIR)\`, [customizations/sso/utils.py#L30-L32](${AWS_CLI}/customizations/sso/utils.py#L30-L32), [#L60-L61](${AWS_CLI}/customizations/sso/utils.py#L60-L61));
- \`~/.aws/sso/cache/<sha1 of the session name>.json\`, the **access token, refresh token and the client secret again** (\`'clientSecret': registration['clientSecret']\` beside the tokens, [botocore/utils.py#L2994-L3006](${AWS_CLI}/botocore/utils.py#L2994-L3006), stored at [#L3042](${AWS_CLI}/botocore/utils.py#L3042));
- \`~/.aws/cli/cache/<sha1>.json\`, the **role credentials** (access key id, secret access key, session token) the CLI got from the portal's \`GetRoleCredentials\` for \`sts get-caller-identity\`: the SSO credential provider's cache is \`JSONFileCache(AWS_CREDS_CACHE_DIR)\` ([\`customizations/sso/__init__.py#L41\`](${AWS_CLI}/customizations/sso/__init__.py#L41)).

The policy allows no credential in a file. The refresh token with the client secret renews the session without the user (see \`silent-refresh\`).`,
      'poll-after-terminal': `The CLI keeps no deadline of its own: "This loop currently relies on the service to either return a valid token or a ExpiredTokenException to break the loop" ([botocore/utils.py#L2972-L2975](${AWS_CLI}/botocore/utils.py#L2972-L2975)). It stops on the first \`expired_token\` (\`except ExpiredTokenException: raise PendingAuthorizationExpiredError()\`, [#L3012-L3013](${AWS_CLI}/botocore/utils.py#L3012-L3013)), so exactly one poll goes out after \`expiresIn\` every time; the CLI prints "The pending authorization … has expired" and exits 255.`,
      'error-backoff': `botocore's own retries, below the device flow: a 503 or a dropped connection is retried by the client's \`standard\` retry mode (the CLI v2 default, [botocore/configprovider.py#L105](${AWS_CLI}/botocore/configprovider.py#L105)), up to 3 attempts in all ([botocore/retries/standard.py#L38](${AWS_CLI}/botocore/retries/standard.py#L38)), after \`rand(0, 1) × 2^(attempt − 1)\` seconds ([#L236-L263](${AWS_CLI}/botocore/retries/standard.py#L236-L263)). The lab answers poll 2 with a 503 and drops poll 3: the first retry comes \`rand(0, 1)\` s after the 503, the second \`rand(0, 1) × 2\` s after the drop, and one of them lands inside the 1 s interval in all but one or two runs in a hundred (when the first draw falls within the request's own few hundredths of a second of 1 and the second is over ½): hence \`may\`, seen in that one run in CI. \`SSOTokenFetcher\` never sees the 503; the retried poll gets the token and the CLI exits 0.`,
      'silent-refresh': `In \`session\` the lab's tokens live 2 s. \`aws sts get-caller-identity\` loads the cached token through \`SSOTokenProvider\`, which redeems the refresh token whenever less than 15 minutes are left (\`_REFRESH_WINDOW = 15 * 60\`, [botocore/tokens.py#L177](${AWS_CLI}/botocore/tokens.py#L177); \`if remaining < self._REFRESH_WINDOW: … _refresh_access_token\`, [#L300-L316](${AWS_CLI}/botocore/tokens.py#L300-L316)), with the cached client secret (\`CreateToken\` with \`grantType=refresh_token\`, [#L253-L259](${AWS_CLI}/botocore/tokens.py#L253-L259)). Once per run, without the user; the refreshed token is written back to the cache.`,
    },
    notes: [
      `**The polling loop, read from the source** (\`SSOTokenFetcher\`, [botocore/utils.py#L2812-L3013](${AWS_CLI}/botocore/utils.py#L2812-L3013)): the first two polls come back to back (see \`poll-interval\`); then it sleeps \`interval\` after each \`authorization_pending\`. On \`slow_down\` it adds 5 s (\`_SLOW_DOWN_DELAY = 5\`, \`interval += self._SLOW_DOWN_DELAY\`, [#L2816](${AWS_CLI}/botocore/utils.py#L2816), [#L3008-L3009](${AWS_CLI}/botocore/utils.py#L3008-L3009)) and keeps it for every later poll, so **slow-down is clean** apart from the first two polls. It keeps **no deadline of its own** and relies on the server's \`ExpiredTokenException\` (see \`poll-after-terminal\`).`,
      `**deny**: \`AccessDeniedException\` is not one of the three exceptions the loop catches ([botocore/utils.py#L3008-L3013](${AWS_CLI}/botocore/utils.py#L3008-L3013)); it ends the flow as a service error, "An error occurred (AccessDeniedException) when calling the CreateToken operation", exit 254. No later poll.`,
      `**fault**: the cut-off \`CreateToken\` answer does not parse; botocore's JSON parser then returns \`{'message': body}\` instead of failing ([botocore/parsers.py#L714-L724](${AWS_CLI}/botocore/parsers.py#L714-L724)), the operation's output has none of its members, and \`response['expiresIn']\` raises \`KeyError\` ([botocore/utils.py#L2994](${AWS_CLI}/botocore/utils.py#L2994)): the CLI prints \`'expiresIn'\` and exits 255. The body holding the access token is neither printed nor logged (no \`--debug\`); the authorization the lab left redeemable is never polled again.`,
      `**session**: no \`session-reuse\`: \`aws sso login\` always starts a new device authorization (\`force_refresh=True\`, [customizations/sso/login.py#L42-L54](${AWS_CLI}/customizations/sso/login.py#L42-L54)) before the second run presents any credential. The second run’s \`sts get-caller-identity\` gets fresh role credentials: the first run’s had expired with the 2 s tokens.`,
      "**inventory agrees** (below): `devicebound inventory --home` on the approve scenario's sandbox reports the same three files, and every credential fingerprint it shows is one `check` found in that file (`test/real/aws.real.test.ts` asserts it).",
      '**The user’s own `~/.aws` is never read**: the program runs with the sandbox `HOME` and none of the caller’s `AWS_*` variables (`AWS_PROFILE`, `AWS_CONFIG_FILE`, keys); `test/aws-preset.test.ts` proves it with a decoy configuration.',
      '**AWS CLI version 1** (`pip install awscli`, often first on PATH through pyenv or a virtualenv) has no `sso login` with sso-session profiles: the preset reads `aws --version` first and refuses it with exit 2, naming the binary it found and any version 2 elsewhere (`--program /usr/bin/aws`).',
      '**AWS CLI 2.22 and later** sign in with the authorization-code flow and PKCE by default; the wrapper adds `--use-device-code` there. Debian’s 2.9.19 has only the device flow.',
      "**Line numbers** are from Debian's installed copy of the `2.9.19` tag (Debian 2.9.19-1 is the upstream release with packaging changes only, per its changelog).",
    ],
  },
  {
    id: 'octokit',
    title: '@octokit/auth-oauth-device',
    kind: 'npm',
    policy: 'test/fixtures/real/octokit.yaml',
    requires: ['examples/real/octokit-device.mjs', 'node_modules/@octokit/auth-oauth-device'],
    install: 'npm ci',
    task: '[`examples/real/octokit-device.mjs`](../examples/real/octokit-device.mjs): `createOAuthDeviceAuth({clientType: "oauth-app", scopes: ["repo"]})`, then `GET https://api.github.com/user`',
    async versions() {
      return [
        ['node --version', process.version],
        ...npm('@octokit/auth-oauth-device', '@octokit/oauth-methods', '@octokit/request'),
      ];
    },
    expected: {
      approve: { always: [], exits: [0] },
      deny: { always: [], exits: [1] },
      expire: { always: ['poll-after-terminal'], exits: [1] },
      'slow-down': { always: ['poll-slow-down'], exits: [0] },
      'server-error': { always: [], exits: [1] },
      session: { always: [], exits: [0, 0] },
      fault: { always: ['secret-in-output'], exits: [1] },
    },
    explanations: {
      'secret-in-output': `**A real leak on octokit's error path** (fault): when a JSON answer does not parse, @octokit/request 10.0.16 returns the raw text as \`data\` instead of failing (\`getResponseData\`: \`try { text = await response.text(); return JSONParse(text); } catch (err) { return text; }\`, [src/fetch-wrapper.ts](https://github.com/octokit/request.js/blob/v10.0.16/src/fetch-wrapper.ts)). @octokit/oauth-methods 6.0.5 then tests \`"error" in response.data\` (\`oauthRequest\`, [src/utils.ts](https://github.com/octokit/oauth-methods.js/blob/v6.0.5/src/utils.ts)); \`in\` on a string throws a \`TypeError\` whose message V8 builds from the string itself: \`Cannot use 'in' operator to search for 'error' in {"access_token":"gho_…\`. The sample prints \`error.message\`, as most programs do, and the token is on stderr.`,
      'poll-after-terminal': `The library has no deadline of its own: it ignores \`expires_in\` and polls until the server answers something other than \`authorization_pending\`/\`slow_down\` ([src/get-oauth-access-token.ts#L113-L131](${OCTOKIT}/src/get-oauth-access-token.ts#L113-L131)). Here one poll after expiry meets \`expired_token\` and stops; against a server that never says \`expired_token\` it would poll forever.`,
      'poll-slow-down': `\`slow_down\` waits \`interval + 7\` once, and the next \`authorization_pending\` goes back to the original interval: \`await wait(verification.interval + 7)\` with \`verification\` unchanged ([src/get-oauth-access-token.ts#L120-L128](${OCTOKIT}/src/get-oauth-access-token.ts#L120-L128)). RFC 8628 §3.5 wants +5 s for this and every later poll.`,
    },
    notes: [
      'Lines read at v8.0.4 (the newest tag available here); the installed 8.0.5 ships the same code (`dist-src/get-oauth-access-token.js`, compared by hand).',
      '**No secret at rest**: the token is held in memory (`state.authentication`). **No secret in output** except on the fault path above.',
    ],
  },
  {
    id: 'msal-node',
    title: '@azure/msal-node',
    kind: 'npm',
    policy: 'test/fixtures/real/msal-node.yaml',
    requires: ['examples/real/msal-node-device.mjs', 'node_modules/@azure/msal-node'],
    install: 'npm ci',
    task: '[`examples/real/msal-node-device.mjs`](../examples/real/msal-node-device.mjs): `acquireTokenByDeviceCode` for `https://login.microsoftonline.com/organizations`, then `GET https://graph.microsoft.com/v1.0/me`',
    async versions() {
      return [
        ['node --version', process.version],
        ...npm('@azure/msal-node', '@azure/msal-common'),
      ];
    },
    expected: {
      approve: { always: ['excess-scope'], exits: [0] },
      deny: { always: ['excess-scope'], exits: [1] },
      expire: { always: ['excess-scope'], may: ['poll-after-terminal'], exits: [1] },
      'slow-down': { always: ['excess-scope', 'slow-down-abort'], exits: [1] },
      'server-error': { always: ['excess-scope'], exits: [1] },
      session: { always: ['excess-scope'], exits: [0, 0] },
      fault: { always: ['excess-scope'], exits: [1] },
    },
    explanations: {
      'excess-scope': `\`offline_access\`: msal-common adds \`OIDC_DEFAULT_SCOPES\` (\`openid profile offline_access\`) to every request ([lib/msal-common/src/utils/Constants.ts#L75-L79](${MSAL_JS}/msal-common-v16.18.0/lib/msal-common/src/utils/Constants.ts#L75-L79)).`,
      'slow-down-abort': `Only \`authorization_pending\` keeps the loop going; every other error, \`slow_down\` included, is thrown as \`post_request_failed\` ([lib/msal-node/src/client/DeviceCodeClient.ts#L327-L345](${MSAL_JS}/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L327-L345)).`,
      'poll-after-terminal': `The deadline is kept in whole seconds, rounded: \`deviceCodeExpirationTime = TimeUtils.nowSeconds() + expiresIn\` ([DeviceCodeClient.ts#L292-L293](${MSAL_JS}/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L292-L293)) with \`nowSeconds()\` = \`Math.round(Date.now() / 1000)\` ([lib/msal-common/src/utils/TimeUtils.ts#L13-L16](${MSAL_JS}/msal-common-v16.18.0/lib/msal-common/src/utils/TimeUtils.ts#L13-L16)), and polling stops only when \`nowSeconds() > deviceCodeExpirationTime\` ([DeviceCodeClient.ts#L249](${MSAL_JS}/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L249)): a poll up to about a second past the real expiry passes. Usually seen at a 1 s interval, not always. ${CHECK_THEN_SLEEP}`,
    },
    notes: [
      'Line numbers are from the `src/` shipped in the installed npm packages (msal-node 7.2.4, msal-common 16.18.0), linked at their release tags.',
      `**fault is clean**: \`HttpClient.sendRequest\` turns a body that does not parse into \`tokenParsingError\` with the message \`Failed to parse response: \` and the parser's own message (a position, never the text) (installed \`dist/network/HttpClient.mjs\` lines 119-129); the sample prints that message and exits 1.`,
    ],
  },
  {
    id: 'openid-client',
    title: 'openid-client',
    kind: 'npm',
    policy: 'test/fixtures/real/openid-client.yaml',
    requires: ['examples/real/openid-client-device.mjs', 'node_modules/openid-client'],
    install: 'npm ci',
    task: "[`examples/real/openid-client-device.mjs`](../examples/real/openid-client-device.mjs): discovery against the lab's own issuer over https, `initiateDeviceAuthorization`, `pollDeviceAuthorizationGrant`, then `GET $DEVICEBOUND_RESOURCE/whoami`",
    async versions() {
      return [['node --version', process.version], ...npm('openid-client', 'oauth4webapi')];
    },
    expected: {
      approve: { always: [], exits: [0] },
      deny: { always: [], exits: [1] },
      expire: { always: [], exits: [1] },
      'slow-down': { always: [], exits: [0] },
      'server-error': { always: [], exits: [1] },
      session: { always: [], exits: [0, 0] },
      fault: { always: [], exits: [1] },
    },
    explanations: {},
    notes: [
      "**Clean, and the source says why**: openid-client 6.9's `pollGrant` waits `interval` before every poll, adds 5 s on `slow_down` for good (`interval += 5`), and bounds the whole loop with `AbortSignal.timeout(expires_in * 1000)`, which also ends a wait in progress, so no poll goes out after expiry (installed `build/index.js` lines 659-718; the function is `pollGrant` in [src/index.ts at v6.9.0](https://github.com/panva/openid-client/blob/v6.9.0/src/index.ts)). A bare 503 without `Retry-After` is an error, not a retry.",
      "**fault is clean**: oauth4webapi 3.8.8 reads the token answer with `response.json()` and, when that fails, throws `OperationProcessingError('failed to parse \"response\" body as JSON')` with the parser's `SyntaxError` as its cause (`getResponseJsonBody`, installed `build/index.js` lines 2512-2520): neither holds the body (the parser's message gives a position, e.g. `Unterminated string in JSON at position 480`). openid-client does not retry it; the sample prints the error's name and code and exits 1.",
    ],
  },
];
