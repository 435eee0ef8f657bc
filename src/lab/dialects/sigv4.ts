// AWS Signature Version 4, the server's side: what a request signed with a key pair says about
// itself, and whether its signature is the one the secret key makes. Written from AWS's
// "Create a signed AWS API request" (IAM User Guide, Signature Version 4 signing process): a
// canonical request, a string to sign over its hash, and a signing key derived from the secret
// through the date, region and service of the credential scope.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The parts of an `Authorization: AWS4-HMAC-SHA256 …` header. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** `20261205/us-east-1/sts/aws4_request` */
  scope: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Why a signature was not accepted, in the words STS's own errors use. */
export type SigV4Problem =
  | { code: 'MissingAuthenticationToken'; message: string }
  | { code: 'IncompleteSignature'; message: string }
  | { code: 'SignatureDoesNotMatch'; message: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

/** Reads the Authorization header; a problem when there is none or it is malformed. */
export function parseSigV4(header: string | undefined): SigV4Authorization | SigV4Problem {
  if (!header)
    return {
      code: 'MissingAuthenticationToken',
      message: 'Request is missing Authentication Token',
    };
  const match = AUTHORIZATION.exec(header);
  if (!match)
    return {
      code: 'IncompleteSignature',
      message: 'Authorization header requires Credential, SignedHeaders and Signature parameters',
    };
  const [, accessKeyId, date, region, service, headers, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    accessKeyId,
    scope: `${date}/${region}/${service}/aws4_request`,
    date,
    region,
    service,
    signedHeaders: headers.split(';'),
    signature,
  };
}

/** RFC 3986 unreserved characters stay; everything else is `%XX`, upper case (SigV4's rule). */
function uriEncode(text: string, keepSlash: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(char) || (keepSlash && char === '/')) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes `%XX`, leniently: a malformed escape is kept as written. */
function uriDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The canonical request of SigV4 for a request as received (path and query as sent). */
export function canonicalRequest(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  signedHeaders: readonly string[],
  body: Buffer,
): string {
  const target = request.url ?? '/';
  const question = target.indexOf('?');
  const rawPath = question === -1 ? target : target.slice(0, question);
  const rawQuery = question === -1 ? '' : target.slice(question + 1);
  // Non-S3 services normalise and encode each segment once more after decoding what was sent.
  const path = `/${rawPath
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => uriEncode(uriEncode(uriDecode(segment), false), false))
    .join('/')}${rawPath.length > 1 && rawPath.endsWith('/') ? '/' : ''}`;
  const query = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = uriDecode(equals === -1 ? pair : pair.slice(0, equals));
      const value = equals === -1 ? '' : uriDecode(pair.slice(equals + 1));
      return [uriEncode(name, false), uriEncode(value, false)] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = signedHeaders
    .map((name) => {
      const value = request.headers[name];
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const declared = request.headers['x-amz-content-sha256'];
  const payloadHash =
    typeof declared === 'string' && declared !== ''
      ? declared
      : createHash('sha256').update(body).digest('hex');
  return [request.method ?? 'GET', path, query, headers, signedHeaders.join(';'), payloadHash].join(
    '\n',
  );
}

/** The signature the secret access key makes for this request and authorization. */
export function expectedSignature(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  body: Buffer,
  authorization: SigV4Authorization,
  secretAccessKey: string,
): string {
  const amzDate = request.headers['x-amz-date'];
  const timestamp = typeof amzDate === 'string' ? amzDate : '';
  const hashed = createHash('sha256')
    .update(canonicalRequest(request, authorization.signedHeaders, body))
    .digest('hex');
  const stringToSign = ['AWS4-HMAC-SHA256', timestamp, authorization.scope, hashed].join('\n');
  const hmac = (key: string | Buffer, data: string) =>
    createHmac('sha256', key).update(data).digest();
  let key = hmac(`AWS4${secretAccessKey}`, authorization.date);
  key = hmac(key, authorization.region);
  key = hmac(key, authorization.service);
  key = hmac(key, 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/**
 * Checks a parsed signature against the secret key: the signed headers must include `host`
 * and `x-amz-date` (whose day must be the scope's), and the signature must match.
 */
export function verifySigV4(
  request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  body: Buffer,
  authorization: SigV4Authorization,
  secretAccessKey: string,
): SigV4Problem | undefined {
  const signed = new Set(authorization.signedHeaders);
  if (!signed.has('host') || !signed.has('x-amz-date'))
    return {
      code: 'IncompleteSignature',
      message: 'The request signature must sign the host and x-amz-date headers',
    };
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(authorization.date))
    return {
      code: 'IncompleteSignature',
      message: 'The x-amz-date header does not match the date of the credential scope',
    };
  const expected = Buffer.from(expectedSignature(request, body, authorization, secretAccessKey));
  const given = Buffer.from(authorization.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return {
      code: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  return undefined;
}
