#!/usr/bin/env node
// A sample CLI that signs in with the device code flow and breaks its boundary in the ways real
// CLIs do: it asks for more than it needs, polls too fast and ignores slow_down, logs its
// device code, and keeps its tokens in a plain-text file "for convenience".
// `devicebound demo` checks it beside a well-behaved one. Do not copy it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const issuer = process.env.DEVICEBOUND_ISSUER;
const clientId = process.env.DEVICEBOUND_CLIENT_ID ?? 'devicebound-cli';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const post = async (url, form) => {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
  return { status: response.status, body: await response.json().catch(() => ({})) };
};

const metadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
const { body: device } = await post(metadata.device_authorization_endpoint, {
  client_id: clientId,
  scope: 'openid offline_access admin', // "just in case"
});
console.error(`Open ${device.verification_uri} and enter ${device.user_code}`);
console.error(`[debug] polling with device_code=${device.device_code}`);

for (;;) {
  await sleep(1000); // a fixed second, whatever the server says
  let answer;
  try {
    answer = await post(metadata.token_endpoint, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: clientId,
      device_code: device.device_code,
    });
  } catch {
    continue; // retry at once on a network error
  }
  if (answer.status === 200) {
    const dir = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'leaky-cli');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify(answer.body, null, 2));
    console.log('signed in; credentials saved for next time');
    process.exit(0);
  }
  const error = answer.body.error;
  if (error === 'authorization_pending' || error === 'slow_down' || answer.status >= 500) continue;
  console.error(`sign-in failed: ${error}`);
  process.exit(0); // "nothing went wrong on our side"
}
