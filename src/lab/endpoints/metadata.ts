// RFC 8414 authorization server metadata, served at both well-known paths.
import { type Handler, json } from '../context.ts';

export const metadata: Handler = ({ issuer, settings }) =>
  json(
    {
      issuer,
      device_authorization_endpoint: `${issuer}/device_authorization`,
      token_endpoint: `${issuer}/token`,
      revocation_endpoint: `${issuer}/revoke`,
      jwks_uri: `${issuer}/jwks`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types_supported: [],
      scopes_supported: settings.scopesSupported,
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
      id_token_signing_alg_values_supported: ['ES256'],
      subject_types_supported: ['public'],
      service_documentation: 'https://www.rfc-editor.org/rfc/rfc8628',
    },
    200,
    { 'cache-control': 'max-age=60' },
  );
