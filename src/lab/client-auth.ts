import type { IncomingMessage } from 'node:http';
import type { LabContext } from './context.ts';
import { E } from './http.ts';

/**
 * Identifies the client of a token, device authorization or revocation request: `client_id`
 * in the body (public clients, RFC 8628 §3.1) or HTTP Basic (RFC 6749 §2.3.1). The lab's
 * client is public, so a Basic password is accepted but not required.
 */
export function authenticateClient(
  context: LabContext,
  request: IncomingMessage,
  form: Map<string, string>,
): string {
  const bodyId = form.get('client_id');
  const basicId = basicClientId(request.headers.authorization);
  if (bodyId !== undefined && basicId !== undefined && bodyId !== basicId) {
    throw E.invalidRequest('client_id in the body and in the Authorization header differ');
  }
  const clientId = basicId ?? bodyId;
  if (clientId === undefined || clientId === '') {
    throw E.invalidClient('client authentication failed: no client_id');
  }
  if (clientId !== context.settings.clientId) throw E.invalidClient('unknown client_id');
  return clientId;
}

function basicClientId(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) {
    if (/^Basic\b/i.test(header)) throw E.invalidClient('malformed Basic authorization header');
    return undefined;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw E.invalidClient('malformed Basic authorization header');
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    throw E.invalidClient('malformed Basic authorization header');
  }
}
