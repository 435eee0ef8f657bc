import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * An OAuth error answer (RFC 6749 §5.2, RFC 8628 §3.5, RFC 6750 §3). Endpoints throw these;
 * the server turns them into JSON. The description never contains a credential.
 */
export class OAuthError extends Error {
  readonly error: string;
  readonly description: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** `slow_down` only: the interval now in force, seconds (dialects that send it, GitHub). */
  interval?: number;

  constructor(
    error: string,
    description: string,
    status = 400,
    headers: Record<string, string> = {},
  ) {
    super(`${error}: ${description}`);
    this.error = error;
    this.description = description;
    this.status = status;
    this.headers = headers;
  }
}

/** Shared: answered to most polls, and never changed. */
const PENDING = new OAuthError(
  'authorization_pending',
  'the user has not yet approved this request',
);

/** The one factory for OAuth errors, so status codes stay consistent across endpoints. */
export const E = {
  invalidRequest: (description: string) => new OAuthError('invalid_request', description),
  invalidClient: (description: string) =>
    new OAuthError('invalid_client', description, 401, {
      'www-authenticate': 'Basic realm="devicebound"',
    }),
  invalidGrant: (description: string) => new OAuthError('invalid_grant', description),
  invalidScope: (description: string) => new OAuthError('invalid_scope', description),
  unsupportedGrantType: (description: string) =>
    new OAuthError('unsupported_grant_type', description),
  unsupportedTokenType: (description: string) =>
    new OAuthError('unsupported_token_type', description),
  authorizationPending: () => PENDING,
  slowDown: (interval: number) =>
    Object.assign(
      new OAuthError('slow_down', `polling too fast; the interval is now ${interval} s`),
      { interval },
    ),
  accessDenied: () => new OAuthError('access_denied', 'the user denied this request'),
  expiredToken: () => new OAuthError('expired_token', 'the device_code has expired'),
  invalidToken: (description: string) =>
    new OAuthError('invalid_token', description, 401, {
      'www-authenticate': `Bearer realm="devicebound", error="invalid_token", error_description="${description}"`,
    }),
  methodNotAllowed: (allow: string) =>
    new OAuthError('invalid_request', `method not allowed; use ${allow}`, 405, { allow }),
  notFound: () => new OAuthError('not_found', 'no such endpoint', 404),
  bodyTooLarge: () =>
    new OAuthError('invalid_request', `request body exceeds ${MAX_BODY_BYTES} bytes`, 413, {
      connection: 'close',
    }),
};

/** Each request's body once read, for the HAR of `check --save-har` (gone with the request). */
export const bodiesRead = new WeakMap<IncomingMessage, Buffer>();

/**
 * Reads the whole body, refusing more than 64 KiB without buffering it. Plain listeners rather
 * than `for await`: this runs on every poll, and the async iterator costs ~10 % of the lab's CPU.
 */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES)
    return Promise.reject(E.bodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        request.resume();
        reject(E.bodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      bodiesRead.set(request, body);
      resolve(body);
    });
    request.once('error', reject);
    request.once('close', () => {
      if (!request.complete) reject(E.invalidRequest('request aborted'));
    });
  });
}

/**
 * Parses an `application/x-www-form-urlencoded` body (RFC 6749 §3.2) into single values.
 * A repeated parameter is an error (RFC 6749 §3.1), and so is any other content type.
 */
export function parseForm(request: IncomingMessage, body: Buffer): Map<string, string> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw E.invalidRequest('content-type must be application/x-www-form-urlencoded');
  }
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw E.invalidRequest('body is not valid UTF-8');
  }
  const form = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeFormPart(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeFormPart(pair.slice(equals + 1));
    if (form.has(name)) throw E.invalidRequest(`parameter '${safeName(name)}' is repeated`);
    form.set(name, value);
  }
  return form;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one form name or value; malformed escapes or invalid UTF-8 are the client's error. */
function decodeFormPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw E.invalidRequest('body is not valid form encoding (bad % escape or invalid UTF-8)');
  }
}

/** Parameter names go into error messages: keep them short and printable. */
function safeName(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

export function required(form: Map<string, string>, name: string): string {
  const value = form.get(name);
  if (value === undefined || value === '') throw E.invalidRequest(`missing parameter '${name}'`);
  return value;
}

/** OAuth responses are never cached (RFC 6749 §5.1). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    ...headers,
  });
  response.end(text);
}

export function sendOAuthError(response: ServerResponse, error: OAuthError): void {
  sendJson(
    response,
    error.status,
    { error: error.error, error_description: error.description },
    error.headers,
  );
}

/**
 * Answers a request Node's parser could not read (garbage, huge headers, a stalled request) with
 * an OAuth error and closes the connection: the lab and its egress proxy keep serving.
 */
export function answerMalformed(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request';
  const body = '{"error":"invalid_request","error_description":"malformed request"}';
  socket.end(
    `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
}
