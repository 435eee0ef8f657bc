#!/usr/bin/env node
// openid-client v6, used as its README shows: discover an OpenID Connect / OAuth 2.0 issuer
// over https, sign in with the device authorization grant (RFC 8628:
// initiateDeviceAuthorization + pollDeviceAuthorizationGrant), then call a protected resource
// with the token. Nothing here is devicebound-specific except reading where things are from
// the environment: DEVICEBOUND_ISSUER (an https URL; a private CA is trusted through
// NODE_EXTRA_CA_CERTS), DEVICEBOUND_RESOURCE (GET $DEVICEBOUND_RESOURCE/whoami), CLIENT_ID,
// SCOPES (space-separated; default "openid").
//
// Exit code: 0 signed in and the resource answered; 1 on any error (denied, expired, network…).
import * as client from 'openid-client';

const {
  DEVICEBOUND_ISSUER: issuer,
  DEVICEBOUND_RESOURCE: resource,
  CLIENT_ID: clientId,
} = process.env;
const scope = process.env.SCOPES || 'openid';
if (!issuer || !clientId || !resource) {
  console.error('set DEVICEBOUND_ISSUER, DEVICEBOUND_RESOURCE and CLIENT_ID');
  process.exit(2);
}

try {
  const config = await client.discovery(new URL(issuer), clientId); // a public client
  const device = await client.initiateDeviceAuthorization(config, { scope });
  console.error('Open %s and enter the code %s', device.verification_uri, device.user_code);
  const tokens = await client.pollDeviceAuthorizationGrant(config, device);

  const response = await client.fetchProtectedResource(
    config,
    tokens.access_token,
    new URL(`${resource}/whoami`),
    'GET',
  );
  if (!response.ok) throw new Error(`GET /whoami answered HTTP ${response.status}`);
  const who = await response.json();
  console.log('signed in as %s', who.sub);
} catch (error) {
  // The error's name, code and OAuth error only: never anything that could hold a credential.
  console.error('sign-in failed: %s %s %s', error.name, error.code ?? '', error.error ?? '');
  process.exitCode = 1;
}
