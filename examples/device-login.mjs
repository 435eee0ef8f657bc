#!/usr/bin/env node
// A minimal CLI that signs in with the OAuth 2.0 device code flow (RFC 8628) through
// devicebound/client, calls one API with the token, revokes it and exits. Copy it and change
// the settings below. Run from a clone: `npm run build && node examples/device-login.mjs`.
//
//   DEVICEBOUND_ISSUER     issuer (metadata at /.well-known/oauth-authorization-server)
//   DEVICEBOUND_CLIENT_ID  your public client_id
//   DEVICEBOUND_RESOURCE   base URL of the API; GET /whoami answers {"sub": …}
import { authorize, createRedactingLogger } from 'devicebound/client';

const { DEVICEBOUND_ISSUER: issuer, DEVICEBOUND_CLIENT_ID: clientId } = process.env;
const resource = process.env.DEVICEBOUND_RESOURCE || issuer;
const log = createRedactingLogger({ prefix: 'device-login: ' }); // stderr, secrets masked

if (!issuer || !clientId) {
  log.error('set DEVICEBOUND_ISSUER and DEVICEBOUND_CLIENT_ID');
  process.exit(2);
}

// Ctrl-C stops polling cleanly instead of leaving a request behind.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

try {
  const session = await authorize({
    issuer,
    clientId,
    scope: 'openid', // exactly what this command needs, nothing more
    signal: controller.signal,
    onPrompt: ({ verificationUri, userCode }) =>
      process.stderr.write(`open ${verificationUri} and enter ${userCode}\n`),
  });
  try {
    const response = await fetch(new URL('whoami', `${resource}/`), {
      headers: { authorization: `Bearer ${session.accessToken()}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`${resource}/whoami answered HTTP ${response.status}`);
    const { sub } = await response.json();
    process.stdout.write(`signed in as ${sub}\n`);
  } finally {
    // Revoke (RFC 7009) and forget the tokens: nothing is kept after this command.
    await session.dispose().catch((error) => log.warn(error));
  }
} catch (error) {
  // access_denied, device_code_expired, aborted, … — errors never contain a secret.
  log.error(error);
  process.exitCode = 1;
}
