import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { dataOf, isRecord, text } from '../fields.ts';
import type { FoundCredential, Observation } from '../model.ts';
import { inspectMsalCache } from '../msal.ts';

/**
 * Azure CLI 2.30+: the MSAL token cache and service principal secrets, plaintext JSON on Linux
 * and macOS, DPAPI-encrypted `.bin` files on Windows (learn.microsoft.com, "MSAL-based Azure
 * CLI"). `accessTokens.json` is the ADAL cache of older versions, still found on old hosts.
 */
export const azureCli: Detector = {
  id: 'azure-cli',
  name: 'Azure CLI',
  paths: [
    { path: '.azure/msal_token_cache.json', type: 'file', format: 'json' },
    { path: '.azure/msal_token_cache.bin', type: 'file', format: 'binary' },
    { path: '.azure/service_principal_entries.json', type: 'file', format: 'json' },
    { path: '.azure/service_principal_entries.bin', type: 'file', format: 'binary' },
    { path: '.azure/accessTokens.json', type: 'file', format: 'json' },
  ],
  inspect({ relativePath, content }) {
    if (content.format === 'binary')
      return [
        {
          credentials: [],
          storage: 'encrypted',
          notes: [
            'DPAPI-encrypted cache: contents not read (an MSAL cache usually holds refresh tokens)',
          ],
        },
      ];
    const data = dataOf(content);
    if (relativePath.endsWith('msal_token_cache.json')) return inspectMsalCache(data);
    if (relativePath.endsWith('accessTokens.json')) return adalTokens(data);
    return servicePrincipals(data);
  },
};

function servicePrincipals(data: unknown): Observation[] {
  if (!Array.isArray(data)) unknownShape('service principal entries are not a list');
  return data.map((entry): Observation => {
    const clientId = text(entry, 'client_id') ?? text(entry, 'servicePrincipalId');
    const secret = text(entry, 'client_secret') ?? text(entry, 'accessToken');
    const certificate = text(entry, 'client_certificate') ?? text(entry, 'certificateFile');
    const credentials: FoundCredential[] = [];
    if (secret) credentials.push({ kind: 'client-secret', value: secret });
    const notes: string[] = [];
    if (certificate) notes.push('client certificate referenced by path (not read)');
    return {
      ...(clientId !== undefined && { label: `service principal ${clientId}` }),
      credentials,
      storage: 'plaintext',
      notes,
    };
  });
}

function adalTokens(data: unknown): Observation[] {
  if (!Array.isArray(data)) unknownShape('ADAL accessTokens.json is not a list');
  return data.filter(isRecord).map((entry): Observation => {
    const credentials: FoundCredential[] = [];
    const access = text(entry, 'accessToken');
    const refresh = text(entry, 'refreshToken');
    const expiresOn = text(entry, 'expiresOn');
    const expiresAt = expiresOn ? new Date(expiresOn) : undefined;
    if (access)
      credentials.push({
        kind: 'access',
        value: access,
        ...(expiresAt && !Number.isNaN(expiresAt.getTime()) && { expiresAt }),
      });
    if (refresh) credentials.push({ kind: 'refresh', value: refresh });
    const user = text(entry, 'userId');
    return {
      ...(user !== undefined && { label: user }),
      credentials,
      storage: 'plaintext',
      notes: ['ADAL cache of Azure CLI before 2.30: delete it'],
    };
  });
}
