/**
 * What a JWT found on disk or in a file says about itself: issuer, audience, expiry and whether
 * it is still valid by the clock. Never the signature, never the whole token, never other
 * claims (they may be personal data). The signature is not verified: a leaked or cached token
 * matters either way, and its claims are only reported, never trusted.
 *
 * One decoder for `scan` (found tokens) and `inventory` (cached tokens): it sits below both and
 * imports nothing of either.
 */

export interface JwtClaims {
  iss: string | null;
  aud: string | string[] | null;
  /** Expiry, ISO 8601, or null when the token has no `exp` (or one no date can hold). */
  exp: string | null;
  /** Still within `nbf`…`exp` now; null when it has no `exp`. */
  valid: boolean | null;
}

/** Claims longer than this are cut: they are shown in reports, and a token can say anything. */
const MAX_CLAIM = 200;
/** Audiences shown at most. */
const MAX_AUDIENCES = 10;

/** The decoded header and payload of a compact JWS, or undefined when it is not one. */
export function decodeJwt(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = parseSegment(parts[0] ?? '');
  const payload = parseSegment(parts[1] ?? '');
  if (!header || !payload) return undefined;
  if (typeof header.alg !== 'string') return undefined;
  return { header, payload };
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long an access token lives, seconds: `expiresIn` (the answer's `expires_in`), or the
 * JWT's `exp` − `iat` when that says longer (a server may announce less than the token
 * carries). JWT times are whole seconds: one second more than announced is rounding, not a
 * longer life. Read from the payload only, nothing verified. Undefined when neither says.
 */
export function accessTokenLifetime(
  expiresIn: number | undefined,
  token: string,
): number | undefined {
  const payload = decodeJwt(token)?.payload;
  let carried =
    typeof payload?.exp === 'number' && typeof payload.iat === 'number'
      ? payload.exp - payload.iat
      : undefined;
  if (carried !== undefined && expiresIn !== undefined && carried - expiresIn <= 1) {
    carried = expiresIn;
  }
  const lifetime = Math.max(expiresIn ?? 0, carried ?? 0);
  return lifetime > 0 ? lifetime : undefined;
}

/** The claims a report shows, judged at `now` (ms); undefined when `token` is not a JWT. */
export function jwtClaims(token: string, now = Date.now()): JwtClaims | undefined {
  const decoded = decodeJwt(token);
  if (!decoded) return undefined;
  const { iss, aud, exp, nbf } = decoded.payload;
  const short = (value: string) =>
    value.length > MAX_CLAIM ? `${value.slice(0, MAX_CLAIM)}…` : value;
  const audience =
    typeof aud === 'string'
      ? short(aud)
      : Array.isArray(aud)
        ? aud
            .filter((a): a is string => typeof a === 'string')
            .slice(0, MAX_AUDIENCES)
            .map(short)
        : null;
  const expiry = typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  const notBefore = typeof nbf === 'number' && Number.isFinite(nbf) ? nbf : undefined;
  // A Date holds ±8.64e15 ms: an `exp` beyond it has no date (and must not throw).
  const expIso =
    expiry !== undefined && Math.abs(expiry) < 8.64e12
      ? new Date(expiry * 1000).toISOString()
      : null;
  return {
    iss: typeof iss === 'string' ? short(iss) : null,
    aud: audience,
    exp: expIso,
    valid:
      expiry === undefined
        ? null
        : expiry * 1000 > now && (notBefore === undefined || notBefore * 1000 <= now),
  };
}
