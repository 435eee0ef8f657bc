import type { Detector } from '../detector.ts';
import { githubTokenNote, isRecord, objectOf, text } from '../fields.ts';
import type { Observation } from '../model.ts';

/**
 * GitHub Copilot: the Copilot CLI's `~/.copilot/config.json` (`logged_in_users`; tokens in the
 * system keyring, or plaintext `*token*` fields where it fell back to the file) and the editor
 * plugins' `~/.config/github-copilot/{apps,hosts}.json` (`{"github.com:<app id>": {user,
 * oauth_token}}`).
 */
export const copilot: Detector = {
  id: 'copilot',
  name: 'GitHub Copilot',
  paths: [
    { path: '.copilot/config.json', type: 'file', format: 'json' },
    { path: '.config/github-copilot/apps.json', type: 'file', format: 'json' },
    { path: '.config/github-copilot/hosts.json', type: 'file', format: 'json' },
  ],
  inspect({ relativePath, content }) {
    const data = objectOf(content, 'Copilot config');
    if (relativePath.startsWith('.copilot/')) return [cliConfig(data)];
    return Object.entries(data).map(([key, entry]): Observation => {
      const token = text(entry, 'oauth_token');
      const user = text(entry, 'user');
      return {
        label: user ? `${key} (${user})` : key,
        credentials: token ? [{ kind: 'access', value: token, longLived: true }] : [],
        storage: 'plaintext',
        notes: token ? [githubTokenNote(token)] : [],
        unattendedRenewal: false,
      };
    });
  },
};

function cliConfig(data: Record<string, unknown>): Observation {
  const tokens = new Set<string>();
  const collect = (value: unknown, depth: number) => {
    if (depth > 4 || !isRecord(value)) {
      if (Array.isArray(value) && depth <= 4) for (const item of value) collect(item, depth + 1);
      return;
    }
    for (const [key, field] of Object.entries(value)) {
      if (/token/i.test(key) && typeof field === 'string' && field.length >= 20) tokens.add(field);
      else collect(field, depth + 1);
    }
  };
  collect(data, 0);
  const users = Array.isArray(data.logged_in_users) ? data.logged_in_users.length : 0;
  if (tokens.size === 0) {
    return {
      credentials: [],
      storage: users > 0 ? 'keyring-reference' : 'plaintext',
      notes: [
        users > 0 ? `${users} signed-in user(s); tokens in the system keyring` : 'not signed in',
      ],
    };
  }
  return {
    credentials: [...tokens].map((value) => ({ kind: 'access' as const, value, longLived: true })),
    storage: 'plaintext',
    notes: ['token stored in the config file (keyring fallback)'],
    unattendedRenewal: false,
  };
}
