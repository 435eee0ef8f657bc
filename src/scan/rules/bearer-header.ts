import { fake } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/** `Authorization: Bearer …` (RFC 6750 §2.1) in logs, curl commands and HTTP dumps. */
export const bearerHeader: Rule = {
  id: 'bearer-header',
  description: 'Detects bearer tokens in Authorization headers',
  severity: 'high',
  keywords: ['bearer'],
  pattern: /\bbearer[ \t]+(?<secret>[A-Za-z0-9\-._~+/]{16,}=*)/dgi,
  verify: (secret) => /\d/.test(secret) && /[A-Za-z]/.test(secret) && looksRandom(secret),
  samples: {
    positive: [
      {
        text: `curl -H "Authorization: Bearer ${fake(40)}" https://api.test/`,
        why: 'an opaque token in a curl command in a shell history',
      },
      {
        text: `> authorization: bearer ${fake(32, 4)}`,
        why: 'a lower-case header in an HTTP debug dump',
      },
    ],
    negative: [
      {
        text: 'curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.test/',
        why: 'a shell variable, not a value',
      },
      { text: 'Authorization: Bearer <access-token>', why: 'a documentation placeholder' },
      { text: 'Bearer authentication-documentation', why: 'prose: no digits, a word' },
      { text: 'Authorization: Bearer YOUR_ACCESS_TOKEN_1', why: 'a placeholder' },
    ],
  },
};
