#!/usr/bin/env node
// @azure/msal-node, used as its documentation shows: a PublicClientApplication signs in with
// acquireTokenByDeviceCode against Microsoft Entra ID (authority
// https://login.microsoftonline.com/organizations), then calls Microsoft Graph
// (GET https://graph.microsoft.com/v1.0/me) with the token. Nothing here is devicebound-specific
// except reading the client id (and, optionally, the scopes) from the environment: CLIENT_ID,
// SCOPES (space-separated; default "User.Read"). msal-node 3+ sends its requests with Node's
// global fetch, so HTTPS_PROXY is honoured when Node runs with NODE_USE_ENV_PROXY=1.
//
// Exit code: 0 signed in and Graph answered; 1 on any error (declined, expired, network…).
import { PublicClientApplication } from '@azure/msal-node';

const clientId = process.env.CLIENT_ID;
const scopes = process.env.SCOPES ? process.env.SCOPES.split(/\s+/).filter(Boolean) : ['User.Read'];
if (!clientId) {
  console.error('set CLIENT_ID to your app registration (client) id');
  process.exit(2);
}

try {
  const pca = new PublicClientApplication({
    auth: { clientId, authority: 'https://login.microsoftonline.com/organizations' },
  });
  const result = await pca.acquireTokenByDeviceCode({
    scopes,
    deviceCodeCallback: (response) => console.error(response.message),
  });

  const response = await fetch('https://graph.microsoft.com/v1.0/me', {
    headers: { authorization: `Bearer ${result.accessToken}` },
  });
  if (!response.ok) throw new Error(`GET /me answered HTTP ${response.status}`);
  const me = await response.json();
  console.log('signed in as %s', me.userPrincipalName);
} catch (error) {
  // MSAL's errors carry an errorCode and a message naming the server error, no credential.
  console.error('sign-in failed: %s %s', error.errorCode ?? error.name, error.message);
  process.exitCode = 1;
}
