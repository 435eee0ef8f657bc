import type { AfterApprovalFault } from '../evidence/names.ts';
import type { Fingerprint, Secret } from '../evidence/secret.ts';

export type AuthorizationStatus = 'pending' | 'approved' | 'denied' | 'consumed';

/** One device authorization (RFC 8628 §3.1–3.2) and its polling state. */
export interface DeviceAuthorization {
  deviceCode: Secret;
  userCode: Secret;
  /** Normalised user code (upper case, no dash): the lookup key of the verification page. */
  userCodeKey: string;
  clientId: string;
  scope: string;
  /** Lab time (ms) of issue and of expiry. */
  createdAt: number;
  expiresAt: number;
  status: AuthorizationStatus;
  /** Token requests so far for this device_code. */
  polls: number;
  /** Lab time of the previous token request, for interval enforcement. */
  lastPollAt: number | null;
  /** The interval in force, seconds: the announced one plus 5 per `slow_down` (RFC 8628 §3.5). */
  interval: number;
}

/** A refresh token and its rotation family (RFC 9700 §4.14.2: reuse revokes the family). */
export interface RefreshGrant {
  token: Secret;
  clientId: string;
  scope: string;
  subject: string;
  family: Fingerprint;
  active: boolean;
}

export interface AccessGrant {
  token: Secret;
  /** `jwt`: signed by the lab's key, verified at the resource; `opaque`: known by value only. */
  format: 'jwt' | 'opaque';
  /** What a JWT's `iss` and `aud` must be (each dialect has its own issuer and audience). */
  issuer: string;
  audience: string;
  /** The JWT `typ` header a `jwt` token carries (`at+jwt` by RFC 9068; Entra's say `JWT`). */
  typ?: 'at+jwt' | 'JWT';
  jti: string;
  clientId: string;
  scope: string;
  subject: string;
  expiresAt: number;
  family: Fingerprint;
  revoked: boolean;
}

/**
 * The lab's state, in memory. Maps are keyed by raw value because lookups must be exact;
 * nothing here is ever serialised. Expired device authorizations are swept so a long-running
 * `serve` does not grow without bound.
 */
export class LabStore {
  readonly byDeviceCode = new Map<string, DeviceAuthorization>();
  readonly byUserCode = new Map<string, DeviceAuthorization>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly accessTokens = new Map<string, AccessGrant>();
  readonly accessByJti = new Map<string, AccessGrant>();
  /** The after-approval faults already given (each is given once per lab). */
  readonly faultsGiven = new Set<AfterApprovalFault>();

  addAuthorization(authorization: DeviceAuthorization): void {
    this.byDeviceCode.set(authorization.deviceCode.reveal(), authorization);
    this.byUserCode.set(authorization.userCodeKey, authorization);
  }

  addAccess(grant: AccessGrant): void {
    this.accessTokens.set(grant.token.reveal(), grant);
    this.accessByJti.set(grant.jti, grant);
  }

  addRefresh(grant: RefreshGrant): void {
    this.refreshTokens.set(grant.token.reveal(), grant);
  }

  /** Ends a grant: its refresh tokens and the access tokens minted from it (RFC 7009 §2.1). */
  revokeFamily(family: Fingerprint): void {
    for (const grant of this.refreshTokens.values())
      if (grant.family === family) grant.active = false;
    for (const grant of this.accessTokens.values())
      if (grant.family === family) grant.revoked = true;
  }

  /** Forgets device authorizations whose codes expired more than `graceMs` ago. */
  sweep(now: number, graceMs: number): void {
    for (const [code, authorization] of this.byDeviceCode) {
      if (authorization.expiresAt + graceMs < now) {
        this.byDeviceCode.delete(code);
        this.byUserCode.delete(authorization.userCodeKey);
      }
    }
  }
}
