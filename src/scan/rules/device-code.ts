import { fake } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/** RFC 8628 §3.2 `device_code` (or `deviceCode`) values in form bodies, JSON and URLs. */
export const deviceCode: Rule = {
  id: 'device-code',
  description: 'Detects RFC 8628 device codes in form bodies, JSON and URLs',
  severity: 'high',
  keywords: ['device_code', 'devicecode'],
  pattern:
    /(?<![A-Za-z0-9_])["']?device_?code["']?[ \t]*[:=][ \t]*["']?(?<secret>[A-Za-z0-9\-._~+/%]{16,}={0,2})/dgi,
  verify: (secret) => /\d/.test(secret) && /[A-Za-z]/.test(secret) && looksRandom(secret),
  samples: {
    positive: [
      {
        text: `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=${fake(43)}&client_id=cli`,
        why: 'a token request form body',
      },
      {
        text: `{"device_code":"${fake(40, 2)}","user_code":"WDJB-MJHT"}`,
        why: 'a device authorization response in JSON',
      },
      { text: `"deviceCode": "${fake(60, 5)}"`, why: 'camelCase as AWS SSO writes it' },
    ],
    negative: [
      { text: '"device_code": "<redacted>"', why: 'already redacted' },
      { text: 'device_code=XXXXXXXXXXXXXXXXXXXXXXXX', why: 'x characters: a placeholder' },
      { text: `"device_code": "\${DEVICE_CODE}"`, why: 'a variable, not a value' },
      {
        text: 'grant_type=urn:ietf:params:oauth:grant-type:device_code',
        why: 'the grant type, no value',
      },
      { text: '"device_code": "<DEVICE_CODE>"', why: 'a placeholder in docs' },
      { text: 'device_code: string (required)', why: 'a schema description' },
    ],
  },
};
