import type { Detector } from '../detector.ts';
import { isRecord, objectOf, text } from '../fields.ts';
import type { FoundCredential, Observation } from '../model.ts';

/**
 * Docker CLI `~/.docker/config.json`: `auths` maps registries to `auth` (base64 of
 * `user:password`, plaintext in effect) or `identitytoken` (an OAuth refresh token); a
 * `credsStore` or per-registry `credHelpers` keeps them in a helper instead (keychain,
 * pass, secretservice, desktop).
 */
export const docker: Detector = {
  id: 'docker',
  name: 'Docker',
  paths: [{ path: '.docker/config.json', type: 'file', format: 'json' }],
  inspect({ content }) {
    const data = objectOf(content, 'Docker config');
    const observations: Observation[] = [];
    const auths = isRecord(data.auths) ? data.auths : {};
    const helpers = isRecord(data.credHelpers) ? data.credHelpers : {};
    const store = text(data, 'credsStore');
    for (const [registry, entry] of Object.entries(auths)) {
      const credentials: FoundCredential[] = [];
      const auth = text(entry, 'auth');
      if (auth) credentials.push({ kind: 'password', value: auth });
      const identity = text(entry, 'identitytoken');
      if (identity) credentials.push({ kind: 'refresh', value: identity });
      const registryToken = text(entry, 'registrytoken');
      if (registryToken) credentials.push({ kind: 'access', value: registryToken });
      if (credentials.length > 0) {
        observations.push({
          label: registry,
          credentials,
          storage: 'plaintext',
          notes: auth ? ['auth is base64 of user:password: plaintext in effect'] : [],
        });
      } else if (!(registry in helpers)) {
        const helper = store ?? 'the default store';
        observations.push({
          label: registry,
          credentials: [],
          storage: 'keyring-reference',
          notes: [`credentials in ${helper}`],
        });
      }
    }
    for (const [registry, helper] of Object.entries(helpers)) {
      observations.push({
        label: registry,
        credentials: [],
        storage: 'keyring-reference',
        notes: [`credential helper docker-credential-${String(helper)}`],
      });
    }
    if (store && observations.length === 0)
      observations.push({
        credentials: [],
        storage: 'keyring-reference',
        notes: [`credsStore docker-credential-${store}`],
      });
    if (observations.length === 0)
      observations.push({
        credentials: [],
        storage: 'plaintext',
        notes: ['no registry credentials'],
      });
    return observations;
  },
};
