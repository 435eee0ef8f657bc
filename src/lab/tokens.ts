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
  const { settings, store, keys, issuer, resource, trace } = context;
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
  const access = context.issue('access_token', accessValue, grant.deviceCode);
  store.addAccess({
    token: access,
    format: 'jwt',
    issuer,
    audience: resource,
    jti,
    clientId: grant.clientId,
    scope: grant.scope,
    subject: LAB_SUBJECT,
    expiresAt: trace.now() + settings.tokenTtl * 1000,
    family: grant.deviceCode,
    revoked: false,
  });
  exchange.event.issued.push({ kind: 'access_token', fingerprint: access.fingerprint });

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
    const id = context.issue('id_token', idValue, grant.deviceCode);
    exchange.event.issued.push({ kind: 'id_token', fingerprint: id.fingerprint });
    body.id_token = idValue;
  }

  if (settings.issueRefreshTokens) {
    const refresh = context.issue('refresh_token', newRefreshToken(), grant.deviceCode);
    store.addRefresh({
      token: refresh,
      clientId: grant.clientId,
      scope: grant.scope,
      subject: LAB_SUBJECT,
      family: grant.deviceCode,
      active: true,
    });
    exchange.event.issued.push({ kind: 'refresh_token', fingerprint: refresh.fingerprint });
    body.refresh_token = refresh.reveal();
  }
  return body;
}
