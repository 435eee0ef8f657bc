// RFC 6749 §4.5 / RFC 8628 §3.4: the token endpoint, dispatching on grant_type.
import type { Handler } from '../context.ts';
import { DEVICE_CODE_GRANT } from '../flows.ts';
import { E, parseForm, readBody, required } from '../http.ts';
import { deviceCodeGrant } from './device-code-grant.ts';
import { refreshTokenGrant } from './refresh-token-grant.ts';

export const token: Handler = async (context, exchange) => {
  const form = parseForm(exchange.request, await readBody(exchange.request));
  const grantType = required(form, 'grant_type');
  exchange.event.grantType = grantType;
  switch (grantType) {
    case DEVICE_CODE_GRANT:
      return deviceCodeGrant(context, exchange, form);
    case 'refresh_token':
      return refreshTokenGrant(context, exchange, form);
    default:
      throw E.unsupportedGrantType('grant_type must be the device_code grant or refresh_token');
  }
};
