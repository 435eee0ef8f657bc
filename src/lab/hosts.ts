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
