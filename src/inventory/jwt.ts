/** Reads a JWT's claims without verifying it: only to tell expiry, issuer and audience. */

export interface JwtClaims {
  expiresAt?: Date;
  issuer?: string;
  audience?: string[];
}

/** The claims of a compact JWS, or undefined when `token` is not one. Never verifies. */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload] = parts as [string, string, string];
  const headerJson = parseSegment(header);
  const claims = parseSegment(payload);
  if (!headerJson || typeof headerJson.alg !== 'string' || !claims) return undefined;
  const result: JwtClaims = {};
  if (typeof claims.exp === 'number' && Number.isFinite(claims.exp))
    result.expiresAt = new Date(claims.exp * 1000);
  if (typeof claims.iss === 'string') result.issuer = claims.iss;
  if (typeof claims.aud === 'string') result.audience = [claims.aud];
  else if (Array.isArray(claims.aud))
    result.audience = claims.aud.filter((a): a is string => typeof a === 'string');
  return result;
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
