import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { dateOf, isRecord, objectOf, text } from '../fields.ts';
import type { FoundCredential } from '../model.ts';

/** OpenAI Codex CLI: `~/.codex/auth.json` with `OPENAI_API_KEY` or ChatGPT sign-in `tokens`
 * (`id_token`, `access_token`, `refresh_token`, `account_id`) and `last_refresh`. */
export const codex: Detector = {
  id: 'codex',
  name: 'OpenAI Codex CLI',
  paths: [{ path: '.codex/auth.json', type: 'file', format: 'json' }],
  inspect({ content }) {
    const data = objectOf(content, 'Codex auth');
    const credentials: FoundCredential[] = [];
    const key = text(data, 'OPENAI_API_KEY');
    if (key) credentials.push({ kind: 'api-key', value: key });
    const tokens = data.tokens;
    if (isRecord(tokens)) {
      const id = text(tokens, 'id_token');
      const access = text(tokens, 'access_token');
      const refresh = text(tokens, 'refresh_token');
      if (access) credentials.push({ kind: 'access', value: access });
      if (id) credentials.push({ kind: 'id', value: id });
      if (refresh) credentials.push({ kind: 'refresh', value: refresh });
    } else if (!key && !('OPENAI_API_KEY' in data))
      unknownShape('neither tokens nor OPENAI_API_KEY');
    const refreshed = dateOf(data.last_refresh);
    return [
      {
        credentials,
        storage: 'plaintext',
        notes: refreshed ? [`last refresh ${refreshed.toISOString()}`] : [],
      },
    ];
  },
};
