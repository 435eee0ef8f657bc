import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { dateOf, isRecord, type Json, objectOf, text } from '../fields.ts';
import type { FoundCredential, Observation } from '../model.ts';

/**
 * AWS CLI and SDKs:
 * - `~/.aws/sso/cache/*.json`: IAM Identity Center tokens from the device flow (`accessToken`,
 *   `expiresAt`, and with the `sso-session` form a `refreshToken` plus the registered client's
 *   `clientId`/`clientSecret`), and client registrations (`clientId`, `clientSecret`, `expiresAt`);
 * - `~/.aws/login/cache/*.json`: `aws login` sessions (SigV4 `accessToken` object, `refreshToken`,
 *   `idToken`, `dpopKey`);
 * - `~/.aws/cli/cache/*.json`: assumed-role credentials (`Credentials.SessionToken`, `Expiration`);
 * - `~/.aws/credentials`: static access keys, or temporary ones with `aws_session_token`.
 */
export const aws: Detector = {
  id: 'aws',
  name: 'AWS CLI',
  paths: [
    { path: '.aws/sso/cache', type: 'dir', format: 'json', match: /\.json$/ },
    { path: '.aws/login/cache', type: 'dir', format: 'json', match: /\.json$/ },
    { path: '.aws/cli/cache', type: 'dir', format: 'json', match: /\.json$/ },
    { path: '.aws/credentials', type: 'file', format: 'ini' },
  ],
  inspect({ relativePath, content, now }) {
    if (content.format === 'ini') return credentialsFile(content.sections);
    const data = objectOf(content, 'AWS cache');
    if (relativePath.startsWith('.aws/login/')) return [loginSession(data)];
    if (relativePath.startsWith('.aws/cli/')) return [assumedRole(data)];
    return [ssoCache(data, now)];
  },
};

function ssoCache(data: Json, now: Date): Observation {
  const expiresAt = dateOf(data.expiresAt);
  const access = text(data, 'accessToken');
  const refresh = text(data, 'refreshToken');
  const secret = text(data, 'clientSecret');
  const registrationExpires = dateOf(data.registrationExpiresAt);
  if (!access && !secret) unknownShape('neither accessToken nor clientSecret');
  const credentials: FoundCredential[] = [];
  if (access) credentials.push({ kind: 'access', value: access, ...(expiresAt && { expiresAt }) });
  if (refresh) credentials.push({ kind: 'refresh', value: refresh });
  if (secret) {
    const until = access ? registrationExpires : expiresAt;
    credentials.push({ kind: 'client-secret', value: secret, ...(until && { expiresAt: until }) });
  }
  const start = text(data, 'startUrl');
  const notes = access
    ? [refresh ? 'SSO session token with refresh token' : 'legacy SSO token (no refresh)']
    : ['SSO OIDC client registration'];
  return {
    ...(start !== undefined && { label: start }),
    credentials,
    storage: 'plaintext',
    notes,
    // The client secret only lets the CLI refresh together with a refresh token.
    unattendedRenewal: refresh !== undefined && (!registrationExpires || registrationExpires > now),
  };
}

function loginSession(data: Json): Observation {
  const sigv4 = data.accessToken;
  if (!isRecord(sigv4) && !text(data, 'refreshToken'))
    unknownShape('no accessToken object or refreshToken');
  const credentials: FoundCredential[] = [];
  if (isRecord(sigv4)) {
    const secret = text(sigv4, 'secretAccessKey');
    const expiresAt = dateOf(sigv4.expiresAt);
    if (secret)
      credentials.push({ kind: 'access', value: secret, ...(expiresAt && { expiresAt }) });
  }
  const refresh = text(data, 'refreshToken');
  if (refresh) credentials.push({ kind: 'refresh', value: refresh });
  const id = text(data, 'idToken') ?? text(data, 'identityToken');
  if (id) credentials.push({ kind: 'id', value: id });
  const dpop = text(data, 'dpopKey');
  if (dpop) credentials.push({ kind: 'private-key', value: dpop });
  const account = isRecord(sigv4) ? text(sigv4, 'accountId') : undefined;
  return {
    ...(account !== undefined && { label: `account ${account}` }),
    credentials,
    storage: 'plaintext',
    notes: dpop
      ? ['aws login session; refresh is bound to the DPoP key stored beside it']
      : ['aws login session'],
  };
}

function assumedRole(data: Json): Observation {
  const creds = data.Credentials;
  if (!isRecord(creds)) unknownShape('no Credentials object');
  const secret = text(creds, 'SecretAccessKey');
  const expiresAt = dateOf(creds.Expiration);
  return {
    credentials: secret ? [{ kind: 'access', value: secret, ...(expiresAt && { expiresAt }) }] : [],
    storage: 'plaintext',
    notes: ['assumed-role session credentials'],
  };
}

function credentialsFile(sections: Record<string, Record<string, string>>): Observation[] {
  const observations: Observation[] = [];
  for (const [profile, keys] of Object.entries(sections)) {
    const secret = keys.aws_secret_access_key;
    if (!secret) continue;
    const temporary = keys.aws_session_token !== undefined;
    observations.push({
      label: `profile ${profile || 'default'}`,
      credentials: [{ kind: temporary ? 'access' : 'api-key', value: secret }],
      storage: 'plaintext',
      notes: [temporary ? 'temporary credentials (session token)' : 'static IAM access key'],
    });
  }
  return observations.length > 0
    ? observations
    : [{ credentials: [], storage: 'plaintext', notes: ['no keys'] }];
}
