/**
 * The authorization server's duties `probe` checks (RFC 8628 §5, RFC 9700, RFC 8414), with
 * stable ids (`server-*`), severities and the standards each maps to. Findings are made by
 * `run.ts` from what the server answered; this file holds only their descriptions.
 */
import type { BaseFinding, Severity } from '../findings/index.ts';

export interface ServerCheckMeta {
  id: string;
  severity: Severity;
  title: string;
  standards: readonly string[];
  fix: string;
}

export const SERVER_CHECKS = [
  {
    id: 'server-issuer-mismatch',
    severity: 'high',
    title: "The metadata's issuer is not the issuer it was fetched for",
    standards: ['RFC 8414 §3.3'],
    fix: 'Serve metadata whose `issuer` is exactly the issuer identifier the metadata URL was built from.',
  },
  {
    id: 'server-no-device-endpoint',
    severity: 'high',
    title: 'No device_authorization_endpoint in the metadata',
    standards: ['RFC 8628 §4'],
    fix: 'Advertise `device_authorization_endpoint` in the authorization server metadata.',
  },
  {
    id: 'server-insecure-endpoint',
    severity: 'high',
    title: 'An endpoint or the verification URI is plain http outside loopback',
    standards: ['RFC 8414 §2', 'RFC 6749 §3.1', 'RFC 8628 §3.1', 'CSF PR.DS-02'],
    fix: 'Serve every endpoint and the verification page over https.',
  },
  {
    id: 'server-cross-origin-endpoint',
    severity: 'low',
    title: 'An endpoint is on another origin than the issuer',
    standards: ['RFC 8414 §2'],
    fix: 'Keep the device flow’s endpoints on the issuer’s origin, or document why they are not (the probe follows them only with --allow-cross-origin).',
  },
  {
    id: 'server-long-device-code',
    severity: 'medium',
    title: 'Device codes live longer than the policy allows',
    standards: ['RFC 8628 §3.2', 'RFC 8628 §5.1', 'NHI7:2025'],
    fix: 'Give device and user codes a short `expires_in` (the policy maximum; 15 minutes is common).',
  },
  {
    id: 'server-no-interval',
    severity: 'low',
    title: 'No polling interval is announced',
    standards: ['RFC 8628 §3.2'],
    fix: 'Send `interval` with every device authorization, so clients do not have to rely on the 5 s default.',
  },
  {
    id: 'server-short-interval',
    severity: 'medium',
    title: 'The polling interval is shorter than 5 s',
    standards: ['RFC 8628 §3.2', 'RFC 8628 §3.5'],
    fix: 'Announce an interval of at least 5 s (the RFC default).',
  },
  {
    id: 'server-weak-user-code',
    severity: 'medium',
    title: 'User codes have less entropy than RFC 8628 recommends',
    standards: ['RFC 8628 §5.1', 'RFC 8628 §6.1'],
    fix: 'Use at least 8 characters of the base-20 alphabet (about 34.5 bits) together with a limit on wrong codes.',
  },
  {
    id: 'server-weak-device-code',
    severity: 'high',
    title: 'Device codes look guessable (estimated entropy below 128 bits)',
    standards: ['RFC 8628 §5.2', 'RFC 6749 §10.10'],
    fix: 'Make device codes at least 128 bits from a CSPRNG (for example 32 random bytes, base64url).',
  },
  {
    id: 'server-verification-uri-complete',
    severity: 'info',
    title: 'verification_uri_complete is offered',
    standards: ['RFC 8628 §3.3.1', 'RFC 8628 §5.4'],
    fix: 'Fine to offer; the verification page must then show the client and scopes and ask the user to confirm, since a link with the code in it is what a remote phishing attack sends (§5.4).',
  },
  {
    id: 'server-no-slow-down',
    severity: 'info',
    title: 'An early poll was not answered slow_down',
    standards: ['RFC 8628 §3.5'],
    fix: 'Consider answering slow_down (and adding 5 s to the interval) when a client polls sooner than the interval: RFC 8628 allows it, and it protects the token endpoint.',
  },
  {
    id: 'server-unknown-device-code',
    severity: 'medium',
    title: 'An unknown device_code is not answered invalid_grant',
    standards: ['RFC 8628 §3.5', 'RFC 6749 §5.2'],
    fix: 'Answer a device_code the server never issued with HTTP 400 `invalid_grant`.',
  },
  {
    id: 'server-wrong-client-accepted',
    severity: 'high',
    title: 'A device_code is accepted from another client_id',
    standards: ['RFC 8628 §3.4', 'RFC 6749 §5.2', 'NHI9:2025'],
    fix: 'Bind each device_code to the client it was issued to and refuse it (`invalid_grant` or `invalid_client`) from any other.',
  },
  {
    id: 'server-reusable-device-code',
    severity: 'high',
    title: 'A device_code can be redeemed twice',
    standards: ['RFC 8628 §3.5', 'RFC 6749 §10.5', 'NHI7:2025'],
    fix: 'Make device codes single use: once tokens were issued for one, answer `invalid_grant` to it.',
  },
  {
    id: 'server-long-token',
    severity: 'medium',
    title: 'Access tokens live longer than the policy allows',
    standards: ['NHI7:2025', 'RFC 9700 §4.14'],
    fix: 'Issue short-lived access tokens (the policy maximum; one hour or less is common).',
  },
  {
    id: 'server-refresh-no-rotation',
    severity: 'medium',
    title: 'Refresh tokens are not rotated, or the old one still works',
    standards: ['RFC 9700 §4.14.2', 'NHI7:2025'],
    fix: 'Issue a new refresh token with every refresh_token grant and refuse the old one from then on (or bind refresh tokens to the client).',
  },
  {
    id: 'server-no-revocation',
    severity: 'low',
    title: 'No token revocation endpoint',
    standards: ['RFC 7009 §2'],
    fix: 'Offer RFC 7009 revocation (`revocation_endpoint` in the metadata) so clients can end a session.',
  },
  {
    id: 'server-revocation-ineffective',
    severity: 'high',
    title: 'A revoked refresh token still works',
    standards: ['RFC 7009 §2.2'],
    fix: 'Invalidate a revoked token at once: a refresh_token grant with it must get `invalid_grant`.',
  },
  {
    id: 'server-no-rate-limit',
    severity: 'high',
    title: 'Wrong user codes are not limited at the verification page',
    standards: ['RFC 8628 §5.1', 'NHI7:2025'],
    fix: 'Limit wrong user codes per client address or session (answer 429 with Retry-After), so the user-code space cannot be walked.',
  },
] as const satisfies readonly ServerCheckMeta[];

export type ServerCheckId = (typeof SERVER_CHECKS)[number]['id'];

export const SERVER_CHECK_IDS: readonly ServerCheckId[] = SERVER_CHECKS.map((check) => check.id);

export function serverCheck(id: ServerCheckId): ServerCheckMeta {
  return SERVER_CHECKS.find((check) => check.id === id) as ServerCheckMeta;
}

/** A finding of `probe`: a server check that failed, with what the server answered. */
export interface ProbeFinding extends BaseFinding {
  check: ServerCheckId;
  title: string;
  message: string;
  /** What the server answered, request by request (`#3 POST /token → 200`), no values. */
  evidence: string[];
  standards: readonly string[];
  fix: string;
}

export function finding(id: ServerCheckId, message: string, evidence: string[]): ProbeFinding {
  const meta = serverCheck(id);
  return {
    check: id,
    severity: meta.severity,
    title: meta.title,
    message,
    evidence,
    standards: meta.standards,
    fix: meta.fix,
  };
}
