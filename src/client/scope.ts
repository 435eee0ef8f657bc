/**
 * Scopes: exactly what the caller asks for, validated (RFC 6749 §3.3). The library never adds a
 * scope — not `openid`, not `offline_access`.
 */
import { DeviceFlowError } from './errors.ts';

/** RFC 6749 §3.3 scope-token: `%x21 / %x23-5B / %x5D-7E`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The scope that asks for a refresh token usable without the user (OpenID Connect Core §11). */
export const OFFLINE_ACCESS = 'offline_access';

/** Options of {@link normalizeScope}. */
export interface ScopeOptions {
  /**
   * **Unsafe.** Send no scope at all, which lets the server apply its default scope (RFC 6749
   * §3.3): whatever that grants, the caller did not choose it. Without this switch an empty
   * scope is refused with `scope_required`.
   */
  readonly dangerouslyUseServerDefaultScope?: boolean;
}

/**
 * A scope as a space-delimited string: the caller's scope-tokens in the caller's order, repeats
 * dropped, nothing added. An empty scope is refused (`scope_required`) unless
 * `dangerouslyUseServerDefaultScope` is set.
 *
 * @throws {DeviceFlowError} `invalid_argument` for a character RFC 6749 §3.3 forbids;
 * `scope_required` for an empty scope.
 * @see {@link https://www.rfc-editor.org/rfc/rfc6749#section-3.3 | RFC 6749 §3.3}
 * @see {@link https://www.rfc-editor.org/rfc/rfc9700#section-2.3 | RFC 9700 §2.3}
 */
export function normalizeScope(
  scope: string | readonly string[] | undefined,
  options: ScopeOptions = {},
): string {
  if (scope === undefined || scope === null) {
    if (options.dangerouslyUseServerDefaultScope === true) return '';
    throw scopeRequired();
  }
  const parts = typeof scope === 'string' ? scope.split(' ') : [...scope];
  const tokens: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      throw new DeviceFlowError('invalid_argument', 'scope must be a string or a list of strings');
    }
    if (part === '') continue;
    if (!SCOPE_TOKEN.test(part)) {
      throw new DeviceFlowError(
        'invalid_argument',
        `scope ${JSON.stringify(part.slice(0, 40))} contains a character RFC 6749 §3.3 forbids (space-delimited, printable ASCII without " and \\)`,
      );
    }
    if (!tokens.includes(part)) tokens.push(part);
  }
  if (tokens.length === 0 && options.dangerouslyUseServerDefaultScope !== true) {
    throw scopeRequired();
  }
  return tokens.join(' ');
}

/** The scope-tokens of a space-delimited scope. */
export function scopeTokens(scope: string): string[] {
  return scope.split(' ').filter((token) => token !== '');
}

/** True when the scope asks for `offline_access`. */
export function requestsOfflineAccess(scope: string): boolean {
  return scopeTokens(scope).includes(OFFLINE_ACCESS);
}

function scopeRequired(): DeviceFlowError {
  return new DeviceFlowError(
    'scope_required',
    'no scope given: ask for the narrow scopes this task needs (RFC 9700 §2.3), or set dangerouslyUseServerDefaultScope to accept whatever the server grants by default',
  );
}
