import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { dateOf, isRecord, objectOf, text } from '../fields.ts';
import type { FoundCredential, Observation } from '../model.ts';

/**
 * Databricks CLI and SDKs: `~/.databricks/token-cache.json` (`{version, tokens: {host or
 * profile: {access_token, refresh_token, expiry}}}` from U2M OAuth) and `~/.databrickscfg`
 * profiles with a `token` (PAT, `dapi…`) or `client_secret` (M2M OAuth).
 */
export const databricks: Detector = {
  id: 'databricks',
  name: 'Databricks CLI',
  paths: [
    { path: '.databricks/token-cache.json', type: 'file', format: 'json' },
    { path: '.databrickscfg', type: 'file', format: 'ini' },
  ],
  inspect({ content }) {
    if (content.format === 'ini') {
      const observations: Observation[] = [];
      for (const [profile, keys] of Object.entries(content.sections)) {
        const credentials: FoundCredential[] = [];
        if (keys.token) credentials.push({ kind: 'pat', value: keys.token });
        if (keys.client_secret)
          credentials.push({ kind: 'client-secret', value: keys.client_secret });
        if (keys.password) credentials.push({ kind: 'password', value: keys.password });
        if (credentials.length === 0 && profile === '') continue;
        const host = keys.host;
        observations.push({
          label: `profile ${profile || 'DEFAULT'}${host ? ` (${host})` : ''}`,
          credentials,
          storage: 'plaintext',
          ...(credentials.length === 0 && {
            notes: [`auth_type ${keys.auth_type ?? 'unset'}: no secret in the file`],
          }),
        });
      }
      return observations;
    }
    const data = objectOf(content, 'Databricks token cache');
    if (!isRecord(data.tokens)) unknownShape('no tokens map');
    return Object.entries(data.tokens).map(([key, token]): Observation => {
      const credentials: FoundCredential[] = [];
      const access = text(token, 'access_token');
      const refresh = text(token, 'refresh_token');
      const expiresAt = dateOf(isRecord(token) ? token.expiry : undefined);
      if (access)
        credentials.push({ kind: 'access', value: access, ...(expiresAt && { expiresAt }) });
      if (refresh) credentials.push({ kind: 'refresh', value: refresh });
      return { label: key, credentials, storage: 'plaintext', notes: ['U2M OAuth token cache'] };
    });
  },
};
