import { isPlaceholder, type Rule } from './types.ts';

const VOWELS = /[AEIOU]/g;

function isAlphanumeric(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a)
  );
}

/**
 * A code written where a real one would go, in docs, tutorials and redacted logs: all one
 * character (`XXXX-XXXX`, `BBBB-BBBB`), two characters taking turns (`XxXxXxXxX`, as Azure CLI
 * tutorials redact theirs), each half a run of the alphabet or of digits (`ABCD-EFGH`,
 * `ABCD-1234`), or a placeholder word. Real codes are random (RFC 8628 §6.1), and a random
 * 8-character base-20 code is one of these about once in a billion.
 */
export function isPlaceholderCode(code: string): boolean {
  const bare = code.replace(/-/g, '');
  if (isPlaceholder(bare)) return true;
  if (new Set(bare.toUpperCase()).size <= 2) return true;
  const halves = code.includes('-') ? code.split('-') : [bare];
  return halves.every((half) => {
    const chars = [...half.toUpperCase()];
    return (
      chars.length >= 3 &&
      chars.every(
        (char, i) => i === 0 || char.charCodeAt(0) === (chars[i - 1] ?? '').charCodeAt(0) + 1,
      )
    );
  });
}

/**
 * RFC 8628 §3.3 user codes outside their prompt: "enter the code WDJB-MJHT", "one-time code:
 * ABCD-1234", `user_code=…` in verification URLs (§3.3.1) and JSON. Found in logs and shell
 * histories, a code still alive lets someone else approve the device.
 */
export const userCode: Rule = {
  id: 'user-code',
  description: 'Detects RFC 8628 user codes in prompts, verification URLs and JSON',
  severity: 'low',
  keywords: ['code'],
  // Most "code"s in logs are "exit code 1" or "status code 404": no code follows them.
  follows: (bytes, at, end) => {
    let i = at;
    if (bytes[i] === 0x22 || bytes[i] === 0x27) i++;
    while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
    if (bytes[i] === 0x3a || bytes[i] === 0x3d) i++;
    while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
    if (bytes[i] === 0x22 || bytes[i] === 0x27 || bytes[i] === 0x60) i++;
    const from = i;
    while (i < end && i - from < 6 && isAlphanumeric(bytes[i] as number)) i++;
    return i - from >= 6 || (i - from >= 3 && bytes[i] === 0x2d);
  },
  pattern:
    /(?:\b(?:enter|type|input|use)[ \t]+(?:the[ \t]+|this[ \t]+|your[ \t]+)?(?:[a-z]+[- ])?(?:[a-z]+[ \t]+)?code|\bone[- ]time[ \t]+code|(?<![A-Za-z0-9])user_?code["']?)[ \t]*[:=]?[ \t]*["'`]?(?<secret>[A-Za-z0-9]{3,6}-[A-Za-z0-9]{3,6}|[A-Za-z0-9]{6,12})(?![A-Za-z0-9-])/dgi,
  verify: (secret, match) => {
    const bare = secret.replace('-', '');
    if (bare.length < 6 || bare.length > 12) return false;
    if (isPlaceholderCode(secret)) return false;
    const inUrlOrJson = /^["']?user_?code/i.test(match[0]);
    // Prompts print codes in capitals; URLs may carry them as typed.
    if (!inUrlOrJson && secret !== secret.toUpperCase()) return false;
    // A word in capitals ("PROVIDED", "BELOW"): RFC 8628 §6.1 codes avoid vowels or mix digits.
    if (/^[A-Za-z]+$/.test(bare) && (bare.toUpperCase().match(VOWELS)?.length ?? 0) >= 2)
      return false;
    return true;
  },
  samples: {
    positive: [
      {
        text: '! First copy your one-time code: WDJB-MJHT',
        why: 'the GitHub CLI prompt captured in a log',
      },
      {
        text: 'To sign in, open https://login.test/device and enter the code B7KQ9ZX2M to authenticate.',
        why: 'an Azure CLI-style prompt',
      },
      {
        text: 'GET /device?user_code=WDJB-MJHT HTTP/1.1',
        why: 'a verification_uri_complete in an access log',
      },
      {
        text: '{"user_code": "BCDF-GHJK", "expires_in": 900}',
        why: 'a device authorization response',
      },
    ],
    negative: [
      { text: 'Please enter the code below to continue.', why: 'prose, no code' },
      { text: 'enter the code PROVIDED by your administrator', why: 'a word in capitals' },
      { text: 'use the code abcdefgh', why: 'lower-case in a prompt: not how codes are shown' },
      { text: 'user_code=XYZ', why: 'too short for a user code' },
      {
        text: '{"user_code": "XXXX-XXXX"}',
        why: 'a redacted code in a device authorization answer',
      },
      {
        text: '! First copy your one-time code: XXXX-XXXX',
        why: 'the GitHub CLI prompt as tutorials redact it',
      },
      {
        text: 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code XxXxXxXxX to authenticate.',
        why: 'the Azure CLI prompt as tutorials redact it',
      },
      { text: 'enter the code BBBB-BBBB', why: 'all one character: an example' },
      { text: 'one-time code: ABCD-EFGH', why: 'runs of the alphabet: an example' },
      { text: 'one-time code: ABCD-1234', why: 'a run of letters and a run of digits: an example' },
    ],
  },
};
