import { isIP } from 'node:net';
import { UsageError } from '../errors.ts';

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

/** `example.com` from `example.com:443`, `[::1]:80` → `::1`; lower case. `undefined` if malformed. */
export function splitHostPort(
  authority: string,
  defaultPort: number,
): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+))(?::(\d{1,5}))?$/.exec(authority.trim());
  if (!match) return undefined;
  const host = (match[1] ?? match[2] ?? '').toLowerCase().replace(/\.$/, '');
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (host === '' || port < 1 || port > 65535) return undefined;
  return { host, port };
}
