import type { Detector } from '../detector.ts';
import { unknownShape } from '../detector.ts';
import { isRecord, objectOf, text } from '../fields.ts';
import type { Observation } from '../model.ts';

/** Terraform: `terraform login` stores API tokens per host in
 * `~/.terraform.d/credentials.tfrc.json` as `{credentials: {host: {token}}}`. */
export const terraform: Detector = {
  id: 'terraform',
  name: 'Terraform',
  paths: [{ path: '.terraform.d/credentials.tfrc.json', type: 'file', format: 'json' }],
  inspect({ content }) {
    const data = objectOf(content, 'Terraform credentials');
    if (!isRecord(data.credentials)) unknownShape('no credentials map');
    return Object.entries(data.credentials).map(([host, entry]): Observation => {
      const token = text(entry, 'token');
      return {
        label: host,
        credentials: token ? [{ kind: 'pat', value: token }] : [],
        storage: 'plaintext',
        notes: ['API token from terraform login (no expiry in the file)'],
      };
    });
  },
};
