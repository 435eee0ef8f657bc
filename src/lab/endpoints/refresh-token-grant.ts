// RFC 6749 §6: the refresh_token grant, with rotation and reuse detection (RFC 9700 §4.14.2).
import { authenticateClient } from '../client-auth.ts';
import { type Exchange, json, type LabContext, type Reply } from '../context.ts';
import { presentedRefreshGrant } from '../flows.ts';
import { E, required } from '../http.ts';
import { parseScope } from '../scope.ts';
import { mintTokens } from '../tokens.ts';

export async function refreshTokenGrant(
  context: LabContext,
  exchange: Exchange,
  form: Map<string, string>,
): Promise<Reply> {
  const { event } = exchange;
  const clientId = authenticateClient(context, exchange.request, form);
  event.clientId = clientId;
  const value = required(form, 'refresh_token');
  // Recorded before any refusal: asking for more than the grant is evidence either way.
  if (form.has('scope')) event.scope = parseScope(form.get('scope'));
  const grant = presentedRefreshGrant(context, exchange, { clientId, value });
  if (!grant.active) {
    context.store.revokeFamily(grant.family);
    throw E.invalidGrant('refresh_token was already used or revoked; the grant is revoked');
  }

  const requested = event.scope ?? grant.scope;
  const granted = new Set(grant.scope.split(' '));
  if (requested.split(' ').some((scope) => scope !== '' && !granted.has(scope))) {
    throw E.invalidScope('a refresh may not ask for scopes beyond the original grant');
  }
  event.scope = requested;

  grant.active = false;
  return json(
    await mintTokens(context, exchange, {
      clientId,
      scope: requested,
      deviceCode: grant.family,
    }),
  );
}
