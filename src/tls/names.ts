import { isIP, isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.ts';

/** The loopback names every run CA may issue for, whatever the task's hosts. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const LOOPBACK_IPS: ReadonlySet<string> = new Set(['127.0.0.1', '::1']);

/** A letter-digit-hyphen DNS label (RFC 1123 §2.1): 1–63 characters, no hyphen at either end. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Whether `name` (already normalised) is an IP address literal rather than a DNS name. */
export function isIpName(name: string): boolean {
  return isIPv4(name) || isIPv6(name);
}

/**
 * The canonical form of a host name or IP literal: lower case, without a trailing dot, IPv6
 * compressed (`0:0:0:0:0:0:0:1` becomes `::1`). Throws a `UsageError` for an empty, wildcard or
 * otherwise invalid name. IDNA is not applied: names must already be ASCII (A-labels).
 */
export function normalizeName(raw: string): string {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  const shown = JSON.stringify(raw);
  if (name === '') throw invalid(`empty host name ${shown}`);
  if (name.includes('*')) throw invalid(`wildcard host name ${shown} is not allowed`);
  if (isIPv4(name)) return name;
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIPv6(bare)) {
    if (bare.includes('%')) throw invalid(`IPv6 address with a zone ${shown} is not allowed`);
    return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  }
  if (name.length > 253) throw invalid(`host name ${shown} is longer than 253 characters`);
  const labels = name.split('.');
  if (!labels.every((label) => LABEL.test(label)))
    throw invalid(`host name ${shown} is not a valid DNS name (letters, digits, '-' and '.')`);
  if (/^[0-9]+$/.test(labels.at(-1) ?? ''))
    throw invalid(`host name ${shown} ends in a numeric label; it is neither a DNS name nor an IP`);
  return name;
}

/**
 * Whether a certificate for `name` (normalised) lies inside the CA's name constraints. This is
 * the RFC 5280 §4.2.1.10 rule the clients apply: a dNSName subtree `github.com` permits
 * `github.com` and every name below it (`api.github.com`), but not `evilgithub.com`; IP
 * subtrees here are single addresses.
 */
export function isPermittedName(name: string, permittedDnsNames: readonly string[]): boolean {
  if (isIpName(name)) return LOOPBACK_IPS.has(name);
  return permittedDnsNames.some((host) => name === host || name.endsWith(`.${host}`));
}

/**
 * The task's hosts, normalised and de-duplicated, followed by the loopback names. Only the
 * loopback IPs may be given as addresses: the CA is constrained to DNS names otherwise.
 */
export function permittedNames(hosts: readonly string[]): string[] {
  const names = new Set<string>();
  for (const raw of hosts) {
    const name = normalizeName(raw);
    if (isIpName(name) && !LOOPBACK_IPS.has(name))
      throw invalid(`host ${JSON.stringify(raw)} is an IP address; only DNS names are allowed`);
    names.add(name);
  }
  for (const name of LOOPBACK_NAMES) names.add(name);
  return [...names];
}

function invalid(message: string): UsageError {
  return new UsageError(message, undefined, 'tls-invalid-host');
}

/**
 * A host name a task may play: a DNS name of letters, digits and hyphens, lower-cased, without
 * a trailing dot. IP addresses, ranges, wildcards and ports are refused: the lab plays names a
 * program asks for, and the run CA's name constraints permit exactly these.
 */
export function normalizeHostName(
  input: string,
  location: { field: string; file?: string; line?: number },
): string {
  const host = String(input).trim().toLowerCase().replace(/\.$/, '');
  const problem =
    host === ''
      ? 'is empty'
      : isIP(host) || /[/:[\]]/.test(host)
        ? 'is an IP address, a range or has a port; name the host (github.com)'
        : host.includes('*')
          ? 'is a wildcard; name each host'
          : host.length > 253 ||
              !host
                .split('.')
                .every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label))
            ? 'is not a valid DNS host name'
            : undefined;
  if (problem) throw new UsageError(`host '${String(input).slice(0, 80)}' ${problem}`, location);
  return host;
}
