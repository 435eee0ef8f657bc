import type { Detector } from '../detector.ts';
import type { Observation } from '../model.ts';

/**
 * HashiCorp Vault CLI: `vault login` writes the token to `~/.vault-token` (the default token
 * helper). `hvs.`/`s.` service tokens are renewable until their max TTL, which the file does not
 * say; `hvb.`/`b.` batch tokens are not renewable.
 */
export const vault: Detector = {
  id: 'vault',
  name: 'HashiCorp Vault',
  paths: [{ path: '.vault-token', type: 'file', format: 'text' }],
  inspect({ content }): Observation[] {
    const token = content.format === 'text' ? content.text.trim() : '';
    if (!token) return [{ credentials: [], storage: 'plaintext', notes: ['empty token file'] }];
    const batch = /^(hvb|b)\./.test(token);
    return [
      {
        credentials: [{ kind: 'pat', value: token }],
        storage: 'plaintext',
        notes: [
          batch
            ? 'batch token (not renewable)'
            : 'service token: renewable until its max TTL, which the file does not say',
        ],
        unattendedRenewal: !batch,
      },
    ];
  },
};
