import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { objectOf, text } from '../fields.ts';
import type { FoundCredential } from '../model.ts';

/**
 * kubelogin (int128/kubelogin, `kubectl oidc-login`): one JSON file per issuer, client and
 * scopes under `~/.kube/cache/oidc-login/`, named by a hash, holding `id_token` and
 * `refresh_token` (files ending `.lock` are its lock files).
 */
export const kubelogin: Detector = {
  id: 'kubelogin',
  name: 'kubelogin (kubectl oidc-login)',
  paths: [{ path: '.kube/cache/oidc-login', type: 'dir', format: 'json', match: /^(?!.*\.lock$)/ }],
  inspect({ content }) {
    const data = objectOf(content, 'kubelogin token cache');
    const id = text(data, 'id_token');
    const refresh = text(data, 'refresh_token');
    if (!id && !refresh) unknownShape('neither id_token nor refresh_token');
    const credentials: FoundCredential[] = [];
    if (id) credentials.push({ kind: 'id', value: id });
    if (refresh) credentials.push({ kind: 'refresh', value: refresh });
    return [
      { credentials, storage: 'plaintext', notes: ['the ID token is the Kubernetes bearer token'] },
    ];
  },
};
