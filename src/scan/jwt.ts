/**
 * What a found JWT says about itself: issuer, audience, expiry and whether it is still valid by
 * the clock. Never the signature, never the whole token, never other claims (they may be
 * personal data). The signature is not verified: a leaked token is a leak either way.
 */

export interface JwtClaims {
  iss: string | null;
  aud: string | string[] | null;
  /** Expiry, ISO 8601, or null when the token has no `exp`. */
  exp: string | null;
  /** Still within `nbf`…`exp` now; null when it has no `exp`. */
  valid: boolean | null;
}

const MAX_CLAIM = 200;

/** The decoded header and payload of a compact JWS, or undefined when it is not one. */
export function decodeJwt(
  token: string,
): { header: object; payload: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = parseSegment(parts[0] ?? '');
  const payload = parseSegment(parts[1] ?? '');
  if (!header || !payload) return undefined;
  if (typeof (header as { alg?: unknown }).alg !== 'string') return undefined;
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

/** The claims a report shows, judged at `now` (ms). */
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
            .slice(0, 10)
            .map(short)
        : null;
  const expiry = typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  const notBefore = typeof nbf === 'number' && Number.isFinite(nbf) ? nbf : undefined;
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
