import { readFile } from 'node:fs/promises';
import * as tls from 'node:tls';
import { UsageError } from './errors.ts';

/**
 * The CAs a server of ours is checked against when we are its client (`record`'s upstream,
 * `probe`'s issuer): the system trust store (Node 22.15+; Node's bundled CAs before) and the
 * PEM certificates of `caFile`. `field` names the flag in errors.
 */
export async function trustFor(
  server: URL,
  caFile: string | undefined,
  field: string,
): Promise<{ ca: string[] | undefined; trust: string }> {
  if (server.protocol !== 'https:') return { ca: undefined, trust: 'plain HTTP' };
  const system =
    typeof tls.getCACertificates === 'function' ? tls.getCACertificates('system') : undefined;
  let extra: string[] = [];
  if (caFile) {
    const pem = await readFile(caFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read (${error.code ?? error.message})`, {
        file: caFile,
        field,
      });
    });
    extra = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (extra.length === 0) {
      throw new UsageError('no PEM certificate in it', { file: caFile, field });
    }
  }
  if (!system) {
    return {
      ca: caFile ? [...tls.rootCertificates, ...extra] : undefined,
      trust: `Node's bundled CAs (this Node has no system store reader)${caFile ? ` and ${caFile}` : ''}`,
    };
  }
  return {
    ca: [...system, ...extra],
    trust: `the system trust store (${system.length} CAs)${caFile ? ` and ${extra.length} from ${caFile}` : ''}`,
  };
}
