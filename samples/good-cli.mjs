#!/usr/bin/env node
// A sample CLI that signs in with the device code flow and stays inside its boundary: it asks
// for what it needs, waits the interval and honours slow_down, backs off on server errors,
// stops at expiry, keeps its token in memory and says nothing secret.
// `devicebound demo` checks it beside a leaky one.
const issuer = process.env.DEVICEBOUND_ISSUER;
const clientId = process.env.DEVICEBOUND_CLIENT_ID ?? 'devicebound-cli';
const resource = process.env.DEVICEBOUND_RESOURCE ?? issuer;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const post = async (url, form) => {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(form) });
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
};

const metadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
const { body: device } = await post(metadata.device_authorization_endpoint, {
  client_id: clientId,
  scope: 'openid',
});
const deadline = Date.now() + device.expires_in * 1000;
let interval = (device.interval ?? 5) * 1000;
let backoff = interval;
console.error(`Open ${device.verification_uri} and enter ${device.user_code}`);

for (;;) {
  if (Date.now() + interval > deadline) fail('the code expired before anyone approved it');
  await sleep(interval);
  let answer;
  try {
    answer = await post(metadata.token_endpoint, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: clientId,
      device_code: device.device_code,
    });
  } catch {
    answer = { status: 0, body: null };
  }
  if (answer.status === 200) {
    const who = await (
      await fetch(`${resource}/whoami`, {
        headers: { authorization: `Bearer ${answer.body.access_token}` },
      })
    ).json();
    console.log(`signed in as ${who.sub}`);
    process.exit(0);
  }
  const error = answer.body?.error;
  if (error === 'authorization_pending') continue;
  if (error === 'slow_down') {
    interval += 5000;
    continue;
  }
  if (answer.status === 0 || (answer.status >= 500 && !error)) {
    backoff = Math.min(backoff * 2, 60_000); // wait longer after each failure
    if (Date.now() + backoff > deadline) fail('the server kept failing');
    await sleep(backoff - interval);
    continue;
  }
  fail(
    error === 'access_denied' ? 'sign-in was denied' : `sign-in failed: ${error ?? answer.status}`,
  );
}

function fail(message) {
  console.error(message);
  process.exit(1);
}
