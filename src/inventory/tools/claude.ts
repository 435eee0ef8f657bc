import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { dateOf, isRecord, objectOf, text } from '../fields.ts';
import type { FoundCredential } from '../model.ts';

/** Claude Code on Linux: `~/.claude/.credentials.json` with `claudeAiOauth` (`accessToken`,
 * `refreshToken`, `expiresAt` in epoch ms, `scopes`) — macOS keeps it in the Keychain. */
export const claude: Detector = {
  id: 'claude',
  name: 'Claude Code',
  paths: [{ path: '.claude/.credentials.json', type: 'file', format: 'json' }],
  inspect({ content }) {
    const data = objectOf(content, 'Claude credentials');
    const oauth = data.claudeAiOauth;
    if (!isRecord(oauth)) unknownShape('no claudeAiOauth object');
    const credentials: FoundCredential[] = [];
    const access = text(oauth, 'accessToken');
    const refresh = text(oauth, 'refreshToken');
    const expiresAt = dateOf(oauth.expiresAt);
    if (access)
      credentials.push({ kind: 'access', value: access, ...(expiresAt && { expiresAt }) });
    if (refresh) credentials.push({ kind: 'refresh', value: refresh });
    const plan = text(oauth, 'subscriptionType');
    return [{ credentials, storage: 'plaintext', notes: plan ? [`subscription ${plan}`] : [] }];
  },
};
