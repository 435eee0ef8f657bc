// The lab's protected resource (RFC 6750): tells who a bearer token belongs to, and records
// which token was presented, so a run that reuses an earlier run's token is caught.
import { fingerprint } from '../../evidence/secret.ts';
import { type Exchange, type Handler, json, type LabContext } from '../context.ts';
import { takeFault } from '../flows.ts';
import { E, OAuthError } from '../http.ts';
import type { AccessGrant } from '../store.ts';

export const whoami: Handler = async (context, exchange) => {
  const header = exchange.request.headers.authorization;
  const match = header ? /^Bearer\s+([\x21-\x7e]+)\s*$/i.exec(header) : null;
  if (!match?.[1]) {
    throw new OAuthError('invalid_request', 'a bearer token is required', 401, {
      'www-authenticate': 'Bearer realm="devicebound"',
    });
  }
  const grant = await acceptAccessToken(context, exchange, match[1]);
  return json({ sub: grant.subject, scope: grant.scope, client_id: grant.clientId });
};

/**
 * Records a presented access token and returns its grant when it is one this lab issued and is
 * still good; throws `invalid_token` otherwise. Every dialect's resource calls this, so
 * `session-reuse` sees a presented token whatever the API looks like.
 */
export async function acceptAccessToken(
  context: LabContext,
  { event }: Exchange,
  value: string,
): Promise<AccessGrant> {
  event.endpoint = 'resource';
  event.presented.push({ kind: 'access_token', fingerprint: fingerprint(value) });
  const grant = context.store.accessTokens.get(value);
  if (!grant) throw E.invalidToken('the access token is unknown to this lab');
  event.clientId = grant.clientId;
  event.scope = grant.scope;
  if (grant.revoked) throw E.invalidToken('the access token was revoked');
  if (context.trace.now() >= grant.expiresAt) throw E.invalidToken('the access token expired');
  if (grant.format === 'jwt') {
    try {
      await context.keys.verify(value, grant.issuer, grant.audience, grant.typ ?? 'at+jwt');
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED')
        throw E.invalidToken('the access token expired');
      throw E.invalidToken('the access token does not verify');
    }
  }
  // The `fault` scenario, on a token that is good: first a 500 HTML page, as a broken backend
  // behind a proxy gives, then a 401 the client does not expect (the token still has time).
  if (takeFault(context, 'resource-error')) {
    event.injected = 'resource-error';
    throw new InjectedResourceError();
  }
  if (takeFault(context, 'resource-unauthorized')) {
    event.injected = 'unauthorized';
    throw E.invalidToken('the access token is not accepted');
  }
  return grant;
}

/** Thrown by a resource to answer with the `resource-error` fault: 500 and an HTML page. */
export class InjectedResourceError extends Error {
  constructor() {
    super('injected resource error');
    this.name = 'InjectedResourceError';
  }
}
