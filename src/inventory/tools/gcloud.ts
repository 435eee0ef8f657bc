import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { dateOf, isRecord, type Json, objectOf, text } from '../fields.ts';
import type { FoundCredential, Observation } from '../model.ts';

/**
 * Google Cloud CLI, in `~/.config/gcloud/`:
 * - `credentials.db`: SQLite table `credentials(account_id, value)`, `value` the JSON of an
 *   `authorized_user` (client secret + refresh token) or a `service_account` (private key);
 * - `access_tokens.db`: SQLite table `access_tokens(account_id, access_token, token_expiry,
 *   rapt_token, id_token)`;
 * - `application_default_credentials.json` and `legacy_credentials/<account>/adc.json`: the same
 *   JSON as a `credentials.db` value; `legacy_credentials/<account>/.boto` an INI for gsutil.
 */
export const gcloud: Detector = {
  id: 'gcloud',
  name: 'Google Cloud CLI',
  paths: [
    { path: '.config/gcloud/credentials.db', type: 'file', format: 'sqlite' },
    { path: '.config/gcloud/access_tokens.db', type: 'file', format: 'sqlite' },
    { path: '.config/gcloud/application_default_credentials.json', type: 'file', format: 'json' },
    {
      path: '.config/gcloud/legacy_credentials',
      type: 'dir',
      format: 'json',
      match: /^adc\.json$/,
      depth: 1,
    },
    {
      path: '.config/gcloud/legacy_credentials',
      type: 'dir',
      format: 'ini',
      match: /^\.boto$/,
      depth: 1,
    },
  ],
  inspect({ relativePath, content }) {
    if (content.format === 'sqlite') {
      if (relativePath.endsWith('access_tokens.db')) return accessTokens(content.tables);
      return storedCredentials(content.tables);
    }
    if (content.format === 'ini') {
      const refresh = content.sections.Credentials?.gs_oauth2_refresh_token;
      const account = relativePath.split('/').at(-2);
      return [
        {
          ...(account !== undefined && { label: account }),
          credentials: refresh ? [{ kind: 'refresh', value: refresh }] : [],
          storage: 'plaintext',
          notes: ['gsutil .boto of a legacy credential'],
        },
      ];
    }
    const account = relativePath.includes('legacy_credentials/')
      ? relativePath.split('/').at(-2)
      : undefined;
    return [
      {
        ...googleCredential(objectOf(content, 'Google credential')),
        ...(account !== undefined && { label: account }),
      },
    ];
  },
};

/** An `authorized_user`, `service_account` or `external_account` credential JSON. */
export function googleCredential(data: Json): Observation {
  const type = text(data, 'type');
  const credentials: FoundCredential[] = [];
  const refresh = text(data, 'refresh_token');
  const secret = text(data, 'client_secret');
  const key = text(data, 'private_key');
  if (refresh) credentials.push({ kind: 'refresh', value: refresh });
  if (key) credentials.push({ kind: 'private-key', value: key });
  const notes: string[] = [];
  if (secret)
    notes.push('client_secret of an installed-app OAuth client (public by design; not counted)');
  if (!type && credentials.length === 0) unknownShape('no type, refresh_token or private_key');
  notes.unshift(`${type ?? 'untyped'} credential`);
  const label = text(data, 'client_email') ?? text(data, 'account');
  return { ...(label !== undefined && { label }), credentials, storage: 'plaintext', notes };
}

function storedCredentials(tables: Record<string, Record<string, unknown>[]>): Observation[] {
  const rows = tables.credentials;
  if (!rows) unknownShape('no credentials table');
  return rows.map((row): Observation => {
    const account = text(row, 'account_id');
    const raw = text(row, 'value');
    let value: unknown;
    try {
      value = raw ? JSON.parse(raw) : undefined;
    } catch {
      value = undefined;
    }
    if (!isRecord(value))
      return {
        ...(account !== undefined && { label: account }),
        credentials: [],
        storage: 'plaintext',
        status: 'unknown',
        notes: ['value is not a credential JSON'],
      };
    return { ...googleCredential(value), ...(account !== undefined && { label: account }) };
  });
}

function accessTokens(tables: Record<string, Record<string, unknown>[]>): Observation[] {
  const rows = tables.access_tokens;
  if (!rows) unknownShape('no access_tokens table');
  return rows.map((row): Observation => {
    const account = text(row, 'account_id');
    const token = text(row, 'access_token');
    const expiresAt = dateOf(row.token_expiry);
    const id = text(row, 'id_token');
    const credentials: FoundCredential[] = [];
    if (token) credentials.push({ kind: 'access', value: token, ...(expiresAt && { expiresAt }) });
    if (id) credentials.push({ kind: 'id', value: id });
    return { ...(account !== undefined && { label: account }), credentials, storage: 'plaintext' };
  });
}
