import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { dataOf, githubTokenNote, isRecord, text } from '../fields.ts';
import type { Observation } from '../model.ts';

/**
 * GitHub CLI: `~/.config/gh/hosts.yml` maps each host to its `user`, `git_protocol` and, when
 * gh could not use the system keyring (or was told `--insecure-storage`), a plaintext
 * `oauth_token`; gh 2.40+ also keeps per-account tokens under `users:`. Without a token the
 * credential lives in the keyring.
 */
export const gh: Detector = {
  id: 'gh',
  name: 'GitHub CLI',
  paths: [{ path: '.config/gh/hosts.yml', type: 'file', format: 'yaml' }],
  inspect({ content }) {
    const data = dataOf(content);
    if (data === null || data === undefined)
      return [{ credentials: [], storage: 'plaintext', notes: ['no hosts'] }];
    if (!isRecord(data)) unknownShape('hosts.yml is not a map of hosts');
    const observations: Observation[] = [];
    for (const [host, settings] of Object.entries(data)) {
      if (!isRecord(settings)) unknownShape(`host ${host} is not a map`);
      const user = text(settings, 'user');
      const tokens = new Map<string, string>();
      const own = text(settings, 'oauth_token');
      if (own) tokens.set(user ?? '(default)', own);
      if (isRecord(settings.users)) {
        for (const [name, account] of Object.entries(settings.users)) {
          const token = text(account, 'oauth_token');
          if (token) tokens.set(name, token);
        }
      }
      const label = user ? `${host} (${user})` : host;
      if (tokens.size === 0) {
        observations.push({
          label,
          credentials: [],
          storage: 'keyring-reference',
          notes: ['no token in the file: gh keeps it in the system keyring'],
        });
        continue;
      }
      // The same token under the host and under users: is one credential.
      const unique = [...new Set(tokens.values())];
      observations.push({
        label,
        credentials: unique.map((value) => ({
          kind: value.startsWith('ghp_') || value.startsWith('github_pat_') ? 'pat' : 'access',
          value,
          longLived: !value.startsWith('ghs_'),
        })),
        storage: 'plaintext',
        notes: [...new Set(unique.map(githubTokenNote))],
        unattendedRenewal: false,
      });
    }
    return observations;
  },
};
