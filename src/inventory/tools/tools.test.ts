// Every detector with a case it knows and a case it must call unknown. Secret-shaped values
// are built at run time so that no scanner flags this file.
import { describe, expect, it } from 'vitest';
import type { Detector, OwnedPath, ParsedFile } from '../detector.ts';
import { UnknownShapeError } from '../detector.ts';
import type { Observation } from '../model.ts';
import { aws } from './aws.ts';
import { azd } from './azd.ts';
import { azureCli } from './azure-cli.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { copilot } from './copilot.ts';
import { databricks } from './databricks.ts';
import { docker } from './docker.ts';
import { gcloud } from './gcloud.ts';
import { gh } from './gh.ts';
import { DETECTOR_IDS, DETECTORS } from './index.ts';
import { kubelogin } from './kubelogin.ts';
import { msIdentity } from './ms-identity.ts';
import { npm } from './npm.ts';
import { terraform } from './terraform.ts';
import { vault } from './vault.ts';

const fake = (prefix: string, length = 36) => `${prefix}${'x'.repeat(length)}`;
const json = (data: unknown): ParsedFile => ({ format: 'json', data });
const owned: OwnedPath = { path: 'x', type: 'file', format: 'json' };
/** The inventory's clock for every case: before the 2030 expiries the cases use. */
const NOW = new Date('2026-01-01T00:00:00Z');

function inspect(
  detector: Detector,
  relativePath: string,
  content: ParsedFile,
  now = NOW,
): Observation[] {
  return detector.inspect({ relativePath, owned, content, now });
}

const kinds = (observations: Observation[]) =>
  observations.map((o) => o.credentials.map((c) => c.kind));

describe('the registry', () => {
  it('has every detector once, with paths relative to the home', () => {
    expect(new Set(DETECTOR_IDS).size).toBe(DETECTORS.length);
    for (const detector of DETECTORS) {
      for (const path of detector.paths) expect(path.path).not.toMatch(/^[/~]/);
    }
  });
});

describe('detectors', () => {
  it('azure-cli: an MSAL cache, one observation per account', () => {
    const cache = {
      Account: { a: { home_account_id: 'u1', username: 'alice@example.com' } },
      AccessToken: {
        k: {
          credential_type: 'AccessToken',
          secret: fake('at'),
          home_account_id: 'u1',
          expires_on: '1700000000',
        },
      },
      RefreshToken: {
        r: { credential_type: 'RefreshToken', secret: fake('rt'), home_account_id: 'u1' },
      },
    };
    const [observation] = inspect(azureCli, '.azure/msal_token_cache.json', json(cache));
    expect(observation?.label).toBe('alice@example.com');
    expect(observation?.credentials.map((c) => c.kind)).toEqual(['access', 'refresh']);
    expect(observation?.credentials[0]?.expiresAt).toEqual(new Date(1_700_000_000_000));
  });

  it('azure-cli: service principal secrets and the encrypted Windows files', () => {
    const entries = [{ client_id: 'c1', tenant: 't', client_secret: fake('s') }];
    expect(
      kinds(inspect(azureCli, '.azure/service_principal_entries.json', json(entries))),
    ).toEqual([['client-secret']]);
    expect(
      inspect(azureCli, '.azure/msal_token_cache.bin', { format: 'binary', size: 10 })[0]?.storage,
    ).toBe('encrypted');
  });

  it('azure-cli: a JSON file that is no MSAL cache is unknown', () => {
    expect(() => inspect(azureCli, '.azure/msal_token_cache.json', json({ hello: 1 }))).toThrow(
      UnknownShapeError,
    );
  });

  it('azd and ms-identity read MSAL caches; opaque bytes are encrypted', () => {
    const cache = { RefreshToken: { r: { secret: fake('rt'), home_account_id: 'u' } } };
    expect(kinds(inspect(azd, '.azd/auth/msal/cache.json', json(cache)))).toEqual([['refresh']]);
    expect(kinds(inspect(msIdentity, '.local/.IdentityService/msal.cache', json(cache)))).toEqual([
      ['refresh'],
    ]);
    expect(
      inspect(msIdentity, '.local/.IdentityService/msal.cache', { format: 'binary', size: 9 })[0]
        ?.storage,
    ).toBe('encrypted');
  });

  it('gh: plaintext tokens per host, keyring when the file has none', () => {
    const token = fake('gh' + 'o_');
    const hosts = {
      'github.com': { user: 'mona', oauth_token: token, users: { mona: { oauth_token: token } } },
      'ghe.example.com': { user: 'm', git_protocol: 'ssh' },
    };
    const [plain, keyring] = inspect(gh, '.config/gh/hosts.yml', { format: 'yaml', data: hosts });
    // The same token under the host and under users: is one credential.
    expect(plain?.credentials).toHaveLength(1);
    expect(plain?.credentials[0]?.longLived).toBe(true);
    expect(keyring?.storage).toBe('keyring-reference');
    expect(() => inspect(gh, 'x', { format: 'yaml', data: ['not', 'hosts'] })).toThrow(
      UnknownShapeError,
    );
  });

  it('copilot: keyring users in the CLI config, plaintext tokens in the editor apps.json', () => {
    expect(
      inspect(copilot, '.copilot/config.json', json({ logged_in_users: [{ login: 'm' }] }))[0]
        ?.storage,
    ).toBe('keyring-reference');
    const apps = { 'github.com:Iv1.x': { user: 'm', oauth_token: fake('gh' + 'u_') } };
    expect(kinds(inspect(copilot, '.config/github-copilot/apps.json', json(apps)))).toEqual([
      ['access'],
    ]);
  });

  it('aws: SSO tokens, client registrations, login sessions, role caches, static keys', () => {
    const sso = {
      startUrl: 's',
      accessToken: fake('a'),
      expiresAt: '2030-01-01T00:00:00Z',
      refreshToken: fake('r'),
      clientId: 'c',
      clientSecret: fake('cs'),
    };
    const [token] = inspect(aws, '.aws/sso/cache/a.json', json(sso));
    expect(token?.credentials.map((c) => c.kind)).toEqual(['access', 'refresh', 'client-secret']);
    expect(token?.credentials[0]?.expiresAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(token?.unattendedRenewal).toBe(true);
    // The refresh token needs a live client registration; whether it is live is judged by the
    // inventory's clock, not the machine's (a golden report must not change with the date).
    const registered = { ...sso, registrationExpiresAt: '2026-03-01T00:00:00Z' };
    const before = new Date('2026-02-01T00:00:00Z');
    const after = new Date('2026-04-01T00:00:00Z');
    expect(
      inspect(aws, '.aws/sso/cache/a.json', json(registered), before)[0]?.unattendedRenewal,
    ).toBe(true);
    expect(
      inspect(aws, '.aws/sso/cache/a.json', json(registered), after)[0]?.unattendedRenewal,
    ).toBe(false);
    expect(
      kinds(
        inspect(
          aws,
          '.aws/sso/cache/b.json',
          json({ clientId: 'c', clientSecret: fake('cs'), expiresAt: '2030-01-01T00:00:00Z' }),
        ),
      ),
    ).toEqual([['client-secret']]);
    const login = {
      accessToken: {
        accessKeyId: 'A',
        secretAccessKey: fake('k'),
        expiresAt: '2030-01-01T00:00:00Z',
        accountId: '1',
      },
      refreshToken: fake('r'),
      dpopKey: fake('p'),
    };
    expect(kinds(inspect(aws, '.aws/login/cache/c.json', json(login)))).toEqual([
      ['access', 'refresh', 'private-key'],
    ]);
    expect(
      kinds(
        inspect(
          aws,
          '.aws/cli/cache/d.json',
          json({ Credentials: { SecretAccessKey: fake('k'), Expiration: '2020-01-01T00:00:00Z' } }),
        ),
      ),
    ).toEqual([['access']]);
    const ini: ParsedFile = {
      format: 'ini',
      sections: {
        '': {},
        default: { aws_secret_access_key: fake('k') },
        temp: { aws_secret_access_key: fake('k'), aws_session_token: fake('t') },
      },
    };
    expect(kinds(inspect(aws, '.aws/credentials', ini))).toEqual([['api-key'], ['access']]);
    expect(() => inspect(aws, '.aws/sso/cache/e.json', json({ lastChecked: 'x' }))).toThrow(
      UnknownShapeError,
    );
  });

  it('gcloud: credentials.db and access_tokens.db rows, ADC files, .boto', () => {
    const tables = {
      credentials: [
        {
          account_id: 'a@example.com',
          value: JSON.stringify({
            type: 'authorized_user',
            refresh_token: fake('1//'),
            client_secret: 'public',
          }),
        },
        {
          account_id: 'sa@p.iam.gserviceaccount.com',
          value: new TextEncoder().encode(
            JSON.stringify({ type: 'service_account', private_key: fake('k') }),
          ),
        },
        { account_id: 'bad', value: 'not json' },
      ],
    };
    const observations = inspect(gcloud, '.config/gcloud/credentials.db', {
      format: 'sqlite',
      tables,
    });
    expect(kinds(observations)).toEqual([['refresh'], ['private-key'], []]);
    expect(observations[2]?.status).toBe('unknown');
    const rows = {
      access_tokens: [
        {
          account_id: 'a',
          access_token: fake('ya29.'),
          token_expiry: '2030-01-01 10:00:00.123456',
          id_token: null,
        },
      ],
    };
    const [access] = inspect(gcloud, '.config/gcloud/access_tokens.db', {
      format: 'sqlite',
      tables: rows,
    });
    expect(access?.credentials[0]?.expiresAt?.toISOString()).toBe('2030-01-01T10:00:00.123Z');
    expect(() =>
      inspect(gcloud, '.config/gcloud/access_tokens.db', { format: 'sqlite', tables: {} }),
    ).toThrow(UnknownShapeError);
    const boto: ParsedFile = {
      format: 'ini',
      sections: { Credentials: { gs_oauth2_refresh_token: fake('1//') } },
    };
    expect(inspect(gcloud, '.config/gcloud/legacy_credentials/a@b/.boto', boto)[0]?.label).toBe(
      'a@b',
    );
  });

  it('kubelogin: id and refresh tokens', () => {
    expect(
      kinds(
        inspect(
          kubelogin,
          '.kube/cache/oidc-login/h',
          json({ id_token: fake('e'), refresh_token: fake('r') }),
        ),
      ),
    ).toEqual([['id', 'refresh']]);
    expect(() => inspect(kubelogin, '.kube/cache/oidc-login/h', json({}))).toThrow(
      UnknownShapeError,
    );
  });

  it('databricks: the token cache and .databrickscfg profiles', () => {
    const cache = {
      version: 1,
      tokens: {
        'https://h': {
          access_token: fake('a'),
          refresh_token: fake('r'),
          expiry: '2030-01-01T00:00:00Z',
        },
      },
    };
    expect(kinds(inspect(databricks, '.databricks/token-cache.json', json(cache)))).toEqual([
      ['access', 'refresh'],
    ]);
    const cfg: ParsedFile = {
      format: 'ini',
      sections: {
        '': {},
        DEFAULT: { host: 'h', token: fake('dapi') },
        sp: { client_secret: fake('dose') },
      },
    };
    expect(kinds(inspect(databricks, '.databrickscfg', cfg))).toEqual([['pat'], ['client-secret']]);
  });

  it('vault: service tokens renew, batch tokens do not', () => {
    expect(
      inspect(vault, '.vault-token', { format: 'text', text: `${fake('hvs.')}\n` })[0]
        ?.unattendedRenewal,
    ).toBe(true);
    expect(
      inspect(vault, '.vault-token', { format: 'text', text: fake('hvb.') })[0]?.unattendedRenewal,
    ).toBe(false);
  });

  it('docker: auth in the file is plaintext; credsStore and credHelpers are keyring references', () => {
    const config = {
      auths: { 'ghcr.io': { auth: Buffer.from('u:p').toString('base64') }, 'docker.io': {} },
      credsStore: 'desktop',
      credHelpers: { ecr: 'ecr-login' },
    };
    const observations = inspect(docker, '.docker/config.json', json(config));
    expect(observations.map((o) => o.storage)).toEqual([
      'plaintext',
      'keyring-reference',
      'keyring-reference',
    ]);
  });

  it('npm: _authToken in plaintext, environment references are not secrets', () => {
    const npmrc: ParsedFile = {
      format: 'ini',
      sections: {
        '': {
          '//registry.npmjs.org/:_authToken': fake('npm_'),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: npm's own ${VAR} syntax
          '//npm.pkg.github.com/:_authToken': '${TOKEN}',
          registry: 'https://r',
        },
      },
    };
    expect(inspect(npm, '.npmrc', npmrc).map((o) => o.storage)).toEqual([
      'plaintext',
      'keyring-reference',
    ]);
  });

  it('terraform: one token per host', () => {
    expect(
      kinds(
        inspect(
          terraform,
          '.terraform.d/credentials.tfrc.json',
          json({ credentials: { 'app.terraform.io': { token: fake('t') } } }),
        ),
      ),
    ).toEqual([['pat']]);
    expect(() => inspect(terraform, 'x', json({ tokens: {} }))).toThrow(UnknownShapeError);
  });

  it('codex: ChatGPT sign-in tokens or an API key', () => {
    const auth = {
      OPENAI_API_KEY: null,
      tokens: { id_token: fake('i'), access_token: fake('a'), refresh_token: fake('r') },
      last_refresh: '2025-01-01T00:00:00Z',
    };
    expect(kinds(inspect(codex, '.codex/auth.json', json(auth)))).toEqual([
      ['access', 'id', 'refresh'],
    ]);
    expect(
      kinds(inspect(codex, '.codex/auth.json', json({ OPENAI_API_KEY: fake('sk-') }))),
    ).toEqual([['api-key']]);
    expect(() => inspect(codex, '.codex/auth.json', json({ other: 1 }))).toThrow(UnknownShapeError);
  });

  it('claude: claudeAiOauth with expiresAt in epoch milliseconds', () => {
    const creds = {
      claudeAiOauth: {
        accessToken: fake('sk-ant-oat01-'),
        refreshToken: fake('sk-ant-ort01-'),
        expiresAt: 1_900_000_000_000,
      },
    };
    const [observation] = inspect(claude, '.claude/.credentials.json', json(creds));
    expect(observation?.credentials[0]?.expiresAt).toEqual(new Date(1_900_000_000_000));
    expect(() => inspect(claude, '.claude/.credentials.json', json({}))).toThrow(UnknownShapeError);
  });
});
