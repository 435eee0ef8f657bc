// RFC 7009: token revocation. Unknown tokens are not an error (§2.2).
import { fingerprint } from '../../evidence/secret.ts';
import { authenticateClient } from '../client-auth.ts';
import { type Handler, json } from '../context.ts';
import { parseForm, readBody, required } from '../http.ts';

export const revocation: Handler = async (context, { request, event }) => {
  const form = parseForm(request, await readBody(request));
  const clientId = authenticateClient(context, request, form);
  event.clientId = clientId;
  const value = required(form, 'token');
  const { store } = context;

  const refresh = store.refreshTokens.get(value);
  const access = store.accessTokens.get(value);
  const kind = refresh ? 'refresh_token' : 'access_token';
  event.presented.push({ kind, fingerprint: fingerprint(value) });

  if (refresh && refresh.clientId === clientId) store.revokeFamily(refresh.family);
  if (access && access.clientId === clientId) access.revoked = true;
  return json({});
};
