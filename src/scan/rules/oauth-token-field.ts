import { fake } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * `access_token`, `refresh_token` and `id_token` (and their camelCase forms) with a value in a
 * form body or URL (`name=value`), JSON (`"name": "value"`) or YAML/INI (`name: value`).
 */
export const oauthTokenField: Rule = {
  id: 'oauth-token-field',
  description: 'Detects access, refresh and ID token values in forms, JSON and URLs',
  severity: 'high',
  keywords: ['access_token', 'refresh_token', 'id_token', 'accesstoken', 'refreshtoken', 'idtoken'],
  pattern:
    /(?<![A-Za-z0-9_])["']?(?:access|refresh|id)_?token["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9\-._~+/%]{16,}={0,2})/dgi,
  verify: (secret, match) => {
    if (!(/\d/.test(secret) && /[A-Za-z]/.test(secret) && looksRandom(secret))) return false;
    // The value may go on past what a token's characters allow (AWS's `…:MGYC…EXAMPLE…`): the
    // whole value up to its end decides whether it is a documented example.
    const end = match.index + match[0].length;
    const rest = /^[^\s"'&,;}]*/.exec(match.input.slice(end, end + 400))?.[0] ?? '';
    return rest === '' || looksRandom(`${secret}${rest}`, 0);
  },
  samples: {
    positive: [
      {
        text: `POST /token grant_type=refresh_token&refresh_token=${fake(48)}`,
        why: 'a refresh grant form body in a proxy log',
      },
      {
        text: `{"access_token":"${fake(40, 1)}","token_type":"Bearer"}`,
        why: 'a token response in JSON',
      },
      {
        text: `https://app.test/cb#access_token=${fake(30, 2)}&state=1`,
        why: 'a token in a URL fragment',
      },
      { text: `refreshToken: ${fake(36, 3)}`, why: 'camelCase key in YAML' },
    ],
    negative: [
      {
        text: `"accessToken": "${fake(60, 2)}:MGYC${fake(40, 3)}EXAMPLEACCESSTOKEN"`,
        why: 'an example token whose value says EXAMPLE past the part a token field matches',
      },
      { text: 'grant_type=refresh_token&client_id=cli', why: 'the grant type value, not a token' },
      { text: 'access_token = get_token_from_cache()', why: 'code, not a value' },
      { text: '"id_token": "<redacted>"', why: 'already redacted' },
      { text: '"access_token": "***"', why: 'masked as CI logs mask it' },
      { text: 'access_token: REDACTED', why: 'redacted as kubectl config view does' },
      { text: '"refresh_token": "[FILTERED]"', why: 'filtered as Rails parameter filtering does' },
      { text: `access_token=\${ACCESS_TOKEN}`, why: 'a variable, not a value' },
      { text: '"access_token": "<token>"', why: 'a documentation placeholder' },
      { text: '"access_token": "xxxxxxxxxxxxxxxxxxxx"', why: 'x characters' },
      {
        text: '"access_token": "REDACTED-0123456789abcdef"',
        why: 'a value a tool already redacted',
      },
    ],
  },
};
