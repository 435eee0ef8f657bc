/**
 * The MSAL token cache (MSAL Python, .NET, Go and Node share it): top-level `AccessToken`,
 * `RefreshToken`, `IdToken`, `Account` and `AppMetadata` maps, each credential with
 * `credential_type`, `secret`, `home_account_id` and (access tokens) `expires_on` in epoch
 * seconds. Azure CLI, azd and the Microsoft identity service caches use it.
 */
import { unknownShape } from './detector.ts';
import { dateOf, isRecord, type Json, text } from './fields.ts';
import type { CredentialKind, FoundCredential, Observation } from './model.ts';

const SECTIONS: Record<string, CredentialKind> = {
  AccessToken: 'access',
  RefreshToken: 'refresh',
  IdToken: 'id',
};

export function isMsalCache(data: unknown): data is Json {
  return (
    isRecord(data) && ['AccessToken', 'RefreshToken', 'IdToken', 'Account'].some((k) => k in data)
  );
}

/** One observation per account in the cache (an empty cache is one observation without
 * credentials: the user signed out). */
export function inspectMsalCache(
  data: unknown,
  storage: Observation['storage'] = 'plaintext',
): Observation[] {
  if (!isMsalCache(data)) return unknownShape('no AccessToken/RefreshToken/IdToken/Account maps');
  const byAccount = new Map<string, FoundCredential[]>();
  for (const [section, kind] of Object.entries(SECTIONS)) {
    const entries = data[section];
    if (entries === undefined) continue;
    if (!isRecord(entries)) unknownShape(`${section} is not a map`);
    for (const item of Object.values(entries)) {
      const secret = text(item, 'secret');
      if (!secret) continue;
      const account = text(item, 'home_account_id') ?? '(no account)';
      const expiresAt = dateOf(isRecord(item) ? item.expires_on : undefined);
      const list = byAccount.get(account) ?? [];
      list.push({ kind, value: secret, ...(expiresAt && { expiresAt }) });
      byAccount.set(account, list);
    }
  }
  const usernames = new Map<string, string>();
  if (isRecord(data.Account)) {
    for (const account of Object.values(data.Account)) {
      const id = text(account, 'home_account_id');
      const username = text(account, 'username');
      if (id && username) usernames.set(id, username);
    }
  }
  if (byAccount.size === 0) return [{ credentials: [], storage, notes: ['empty token cache'] }];
  return [...byAccount].map(([account, credentials]) => ({
    label: usernames.get(account) ?? account,
    credentials,
    storage,
  }));
}
