import type { Detector } from '../detector.ts';
import type { FoundCredential, Observation } from '../model.ts';

/**
 * npm's user config `~/.npmrc`: `//registry/:_authToken=` (npm access tokens `npm_…`, classic
 * or granular), `_auth` (base64 user:password) and `_password`. `${NPM_TOKEN}` references to the
 * environment are not secrets.
 */
export const npm: Detector = {
  id: 'npm',
  name: 'npm',
  paths: [{ path: '.npmrc', type: 'file', format: 'ini' }],
  inspect({ content }) {
    if (content.format !== 'ini') return [];
    const observations: Observation[] = [];
    for (const keys of Object.values(content.sections)) {
      for (const [key, value] of Object.entries(keys)) {
        const match = /^(?:(.*):)?(_authToken|_auth|_password)$/.exec(key);
        if (!match) continue;
        const scope = match[1] ?? 'default registry';
        if (/^\$\{[^}]+\}$/.test(value)) {
          observations.push({
            label: scope,
            credentials: [],
            storage: 'keyring-reference',
            notes: [`${match[2]} read from the environment`],
          });
          continue;
        }
        const credential: FoundCredential = {
          kind: match[2] === '_authToken' ? 'pat' : 'password',
          value,
        };
        observations.push({
          label: scope,
          credentials: [credential],
          storage: 'plaintext',
          notes: [`${match[2]} in plaintext`],
        });
      }
    }
    return observations.length > 0
      ? observations
      : [{ credentials: [], storage: 'plaintext', notes: ['no registry credentials'] }];
  },
};
