// RFC 8628 §3.1–3.2: a device authorization request gets a device_code and a user_code.
import { newDeviceCode, newUserCode, normalizeUserCode } from '../canaries.ts';
import { authenticateClient } from '../client-auth.ts';
import { type Handler, json } from '../context.ts';
import { parseForm, readBody } from '../http.ts';
import { parseScope } from '../scope.ts';
import type { DeviceAuthorization } from '../store.ts';

export const deviceAuthorization: Handler = async (context, { request, event }) => {
  const form = parseForm(request, await readBody(request));
  event.clientId = authenticateClient(context, request, form);
  const scope = parseScope(form.get('scope'));
  event.scope = scope;

  const { settings, store, trace } = context;
  const now = trace.now();
  let userCode = newUserCode();
  // 20^8 codes: a collision among live codes is unlikely but must not hand one user's approval
  // to another device.
  while (store.byUserCode.has(normalizeUserCode(userCode) ?? '')) userCode = newUserCode();

  const deviceCode = context.issue('device_code', newDeviceCode());
  const authorization: DeviceAuthorization = {
    deviceCode,
    userCode: context.issue('user_code', userCode, deviceCode.fingerprint),
    userCodeKey: normalizeUserCode(userCode) ?? '',
    clientId: event.clientId,
    scope,
    createdAt: now,
    expiresAt: now + settings.expiresIn * 1000,
    status: 'pending',
    polls: 0,
    lastPollAt: null,
    interval: settings.interval,
  };
  store.addAuthorization(authorization);

  event.deviceCode = authorization.deviceCode.fingerprint;
  event.intervalInForce = settings.interval;
  event.issued.push(
    { kind: 'device_code', fingerprint: authorization.deviceCode.fingerprint },
    { kind: 'user_code', fingerprint: authorization.userCode.fingerprint },
  );

  const verificationUri = `${context.issuer}/device`;
  return json(
    {
      device_code: authorization.deviceCode.reveal(),
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expires_in: settings.expiresIn,
      interval: settings.interval,
    },
    200,
    { 'cache-control': 'no-store' },
  );
};
