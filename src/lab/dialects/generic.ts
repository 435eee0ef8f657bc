// The generic dialect: RFC 8628 with RFC 8414 metadata, as the lab's own issuer speaks it.
import type { Route } from '../context.ts';
import { deviceAuthorization } from '../endpoints/device-authorization.ts';
import { jwks } from '../endpoints/jwks.ts';
import { metadata } from '../endpoints/metadata.ts';
import { whoami } from '../endpoints/resource.ts';
import { revocation } from '../endpoints/revocation.ts';
import { token } from '../endpoints/token.ts';
import type { Dialect, DialectShared } from './types.ts';

export function genericRoutes(verification: DialectShared['verification']): Map<string, Route> {
  return new Map<string, Route>([
    [
      '/.well-known/oauth-authorization-server',
      { endpoint: 'metadata', methods: { GET: metadata } },
    ],
    ['/.well-known/openid-configuration', { endpoint: 'metadata', methods: { GET: metadata } }],
    [
      '/device_authorization',
      { endpoint: 'device_authorization', methods: { POST: deviceAuthorization } },
    ],
    ['/token', { endpoint: 'token', methods: { POST: token } }],
    ['/revoke', { endpoint: 'revocation', methods: { POST: revocation } }],
    ['/jwks', { endpoint: 'jwks', methods: { GET: jwks } }],
    ['/whoami', { endpoint: 'resource', methods: { GET: whoami } }],
    [
      '/device',
      { endpoint: 'verification', methods: { GET: verification.show, POST: verification.submit } },
    ],
  ]);
}

export const generic: Dialect = {
  name: 'generic',
  defaultHosts: [],
  routes(shared) {
    const table = genericRoutes(shared.verification);
    return (_host, path) => table.get(path);
  },
};
