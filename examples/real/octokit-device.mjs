#!/usr/bin/env node
// @octokit/auth-oauth-device, used as its README shows: sign in to github.com with GitHub's
// OAuth device flow as an OAuth app, then call the REST API (GET https://api.github.com/user)
// with the token. Nothing here is devicebound-specific except reading the client id (and,
// optionally, the scopes) from the environment: CLIENT_ID, SCOPES (space-separated; default
// "repo"). Requests go through Node's global fetch, so HTTPS_PROXY is honoured when Node runs
// with NODE_USE_ENV_PROXY=1 (https://nodejs.org/api/cli.html#node_use_env_proxy1).
//
// Exit code: 0 signed in and the API answered; 1 on any error (denied, expired, network…).
import { createOAuthDeviceAuth } from '@octokit/auth-oauth-device';

const clientId = process.env.CLIENT_ID;
const scopes = process.env.SCOPES ? process.env.SCOPES.split(/\s+/).filter(Boolean) : ['repo'];
if (!clientId) {
  console.error('set CLIENT_ID to your OAuth app client id');
  process.exit(2);
}

try {
  const auth = createOAuthDeviceAuth({
    clientType: 'oauth-app',
    clientId,
    scopes,
    onVerification(verification) {
      console.error('Open %s', verification.verification_uri);
      console.error('Enter code: %s', verification.user_code);
    },
  });
  const { token } = await auth({ type: 'oauth' });

  const response = await fetch('https://api.github.com/user', {
    headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json' },
  });
  if (!response.ok) throw new Error(`GET /user answered HTTP ${response.status}`);
  const user = await response.json();
  console.log('signed in as %s', user.login);
} catch (error) {
  // The message only: octokit's RequestError also carries the request, which holds the code.
  console.error('sign-in failed: %s', error.message);
  process.exitCode = 1;
}
