import type { Fingerprint } from '../evidence/secret.ts';
import { newJti, newRefreshToken } from './canaries.ts';
import type { Exchange, LabContext } from './context.ts';

export const LAB_SUBJECT = 'devicebound-user';

export interface TokenGrant {
  clientId: string;
  scope: string;
  /** The device authorization the grant stems from; also the refresh token family. */
  deviceCode: Fingerprint;
}

/** How a dialect's access token is checked at the resource (see `AccessGrant`). */
export interface AccessTokenShape {
  value: string;
  format: 'jwt' | 'opaque';
  typ?: 'at+jwt' | 'JWT';
  issuer: string;
  audience: string;
  jti: string;
  subject: string;
}

/**
 * Records an access token a dialect made: a canary linked to its device authorization, the
 * grant the resource checks it against (it lives the scenario's token lifetime), and the trace.
 */
export function recordAccessToken(
  context: LabContext,
  exchange: Exchange,
  grant: TokenGrant,
  token: AccessTokenShape,
): void {
  const { value, ...shape } = token;
  const access = context.issue('access_token', value, grant.deviceCode);
  context.store.addAccess({
    ...shape,
    token: access,
    clientId: grant.clientId,
    scope: grant.scope,
    expiresAt: context.trace.now() + context.settings.tokenTtl * 1000,
    family: grant.deviceCode,
    revoked: false,
  });
  exchange.event.issued.push({ kind: 'access_token', fingerprint: access.fingerprint });
}

/** Records a refresh token (its grant's family is the device authorization) and returns it. */
export function recordRefreshToken(
  context: LabContext,
  exchange: Exchange,
  grant: TokenGrant,
  value: string,
  subject: string,
): string {
  const refresh = context.issue('refresh_token', value, grant.deviceCode);
  context.store.addRefresh({
    token: refresh,
    clientId: grant.clientId,
    scope: grant.scope,
    subject,
    family: grant.deviceCode,
    active: true,
  });
  exchange.event.issued.push({ kind: 'refresh_token', fingerprint: refresh.fingerprint });
  return value;
}

/** Records an ID token (nothing checks it later: it is a canary to be searched for). */
export function recordIdToken(
  context: LabContext,
  exchange: Exchange,
  grant: TokenGrant,
  value: string,
): void {
  const id = context.issue('id_token', value, grant.deviceCode);
  exchange.event.issued.push({ kind: 'id_token', fingerprint: id.fingerprint });
}

/**
 * Mints a token response (RFC 6749 §5.1): a JWT access token (RFC 9068), an ID token when
 * `openid` was asked for, and a rotating refresh token when the lab issues them. Every value is
 * a fresh canary.
 */
export async function mintTokens(
  context: LabContext,
  exchange: Exchange,
  grant: TokenGrant,
): Promise<Record<string, unknown>> {
  const { settings, keys, issuer, resource } = context;
  const nowSeconds = Math.floor(Date.now() / 1000);
  // Rounded up, so the JWT never dies before the lab's own (millisecond) record of it does.
  const expiresAt = Math.ceil((Date.now() + settings.tokenTtl * 1000) / 1000);
  const jti = newJti();

  const accessValue = await keys.sign(
    {
      iss: issuer,
      sub: LAB_SUBJECT,
      aud: resource,
      client_id: grant.clientId,
      scope: grant.scope,
      jti,
    },
    'at+jwt',
    expiresAt,
  );
  recordAccessToken(context, exchange, grant, {
    value: accessValue,
    format: 'jwt',
    issuer,
    audience: resource,
    jti,
    subject: LAB_SUBJECT,
  });

  const body: Record<string, unknown> = {
    access_token: accessValue,
    token_type: 'Bearer',
    expires_in: settings.tokenTtl,
    scope: grant.scope,
  };

  if (grant.scope.split(' ').includes('openid')) {
    const idValue = await keys.sign(
      { iss: issuer, sub: LAB_SUBJECT, aud: grant.clientId, auth_time: nowSeconds, jti: newJti() },
      'JWT',
      expiresAt,
    );
    recordIdToken(context, exchange, grant, idValue);
    body.id_token = idValue;
  }

  if (settings.issueRefreshTokens) {
    body.refresh_token = recordRefreshToken(
      context,
      exchange,
      grant,
      newRefreshToken(),
      LAB_SUBJECT,
    );
  }
  return body;
}
