// RFC 8628 §3.4–3.5: one poll of the device access token request, in the generic dialect.
import { authenticateClient } from '../client-auth.ts';
import { type Exchange, json, type LabContext, type Reply } from '../context.ts';
import { pollDeviceCode } from '../flows.ts';
import { E, required } from '../http.ts';
import { mintTokens } from '../tokens.ts';

export async function deviceCodeGrant(
  context: LabContext,
  exchange: Exchange,
  form: Map<string, string>,
): Promise<Reply> {
  const clientId = authenticateClient(context, exchange.request, form);
  exchange.event.clientId = clientId;
  const result = pollDeviceCode(context, exchange, {
    clientId,
    code: required(form, 'device_code'),
  });
  // Returned, not thrown: the most frequent answer of all should not build a stack trace.
  if (result === 'pending') return { kind: 'error', error: E.authorizationPending() };
  if (result.kind === 'fault') return result;
  const { authorization } = result;
  return json(
    await mintTokens(context, exchange, {
      clientId,
      scope: authorization.scope,
      deviceCode: authorization.deviceCode.fingerprint,
    }),
  );
}
