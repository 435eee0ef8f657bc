// RFC 8628 §3.1–3.2: a device authorization request gets a device_code and a user_code.
import { authenticateClient } from '../client-auth.ts';
import { type Handler, json } from '../context.ts';
import { startDeviceAuthorization } from '../flows.ts';
import { parseForm, readBody } from '../http.ts';
import { parseScope } from '../scope.ts';

export const deviceAuthorization: Handler = async (context, exchange) => {
  const { request, event } = exchange;
  const form = parseForm(request, await readBody(request));
  event.clientId = authenticateClient(context, request, form);
  const scope = parseScope(form.get('scope'));
  event.scope = scope;
  const { authorization, userCode } = startDeviceAuthorization(context, exchange, {
    clientId: event.clientId,
    scope,
  });
  const { settings } = context;
  const verificationUri = `${context.issuer}/device`;
  return json(
    {
      device_code: authorization.deviceCode.reveal(),
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expires_in: settings.expiresIn,
      ...(settings.announceInterval && { interval: settings.interval }),
    },
    200,
    { 'cache-control': 'no-store' },
  );
};
