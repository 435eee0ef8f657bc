import type { Detector } from '../detector.ts';
import { dataOf, isRecord, text } from '../fields.ts';
import type { Observation } from '../model.ts';
import { inspectMsalCache, isMsalCache } from '../msal.ts';

/**
 * Azure Developer CLI: MSAL cache files under `~/.azd/auth/msal/` (plaintext JSON on Linux and
 * macOS, encrypted on Windows) and `~/.azd/auth/auth.json`, which names the signed-in account
 * or holds a service principal's client secret.
 */
export const azd: Detector = {
  id: 'azd',
  name: 'Azure Developer CLI',
  paths: [
    { path: '.azd/auth/msal', type: 'dir', format: 'json-or-binary' },
    { path: '.azd/auth/auth.json', type: 'file', format: 'json' },
  ],
  inspect({ relativePath, content }) {
    if (content.format === 'binary')
      return [
        {
          credentials: [],
          storage: 'encrypted',
          notes: ['encrypted MSAL cache: contents not read (usually holds refresh tokens)'],
        },
      ];
    const data = dataOf(content);
    if (!relativePath.endsWith('auth.json') || isMsalCache(data)) return inspectMsalCache(data);
    return authConfig(data);
  },
};

function authConfig(data: unknown): Observation[] {
  const secret = text(data, 'clientSecret') ?? text(data, 'secret');
  const clientId = text(data, 'clientId');
  const account = isRecord(data) ? text(data, 'homeAccountId') : undefined;
  return [
    {
      ...(clientId !== undefined
        ? { label: `service principal ${clientId}` }
        : account !== undefined && { label: account }),
      credentials: secret ? [{ kind: 'client-secret', value: secret }] : [],
      storage: 'plaintext',
      notes: secret ? [] : ['names the signed-in account; tokens are in the MSAL cache'],
    },
  ];
}
