import type { Detector } from '../detector.ts';
import { dataOf } from '../fields.ts';
import { inspectMsalCache } from '../msal.ts';

/**
 * The Microsoft identity service caches that Azure PowerShell, Microsoft Graph PowerShell and
 * other MSAL .NET tools share on Linux (`~/.local/.IdentityService/`, e.g. `msal.cache`,
 * `mg.msal.cache`): encrypted through libsecret when a keyring is available, plaintext MSAL JSON
 * when the tool fell back to an unprotected file.
 */
export const msIdentity: Detector = {
  id: 'ms-identity',
  name: 'Microsoft identity service cache',
  paths: [
    { path: '.local/.IdentityService', type: 'dir', format: 'json-or-binary', match: /cache/i },
    { path: '.IdentityService', type: 'dir', format: 'json-or-binary', match: /cache/i },
  ],
  inspect({ content }) {
    if (content.format === 'binary')
      return [
        {
          credentials: [],
          storage: 'encrypted',
          notes: [
            'encrypted MSAL cache (libsecret key): contents not read (usually holds refresh tokens)',
          ],
        },
      ];
    return inspectMsalCache(dataOf(content));
  },
};
