// Library: @peculiar/x509, maintained and typed, signs through WebCrypto so the CA key stays a
// non-extractable CryptoKey; @peculiar/asn1-x509 encodes NameConstraints (x509 has no class).
// node-forge cannot encode nameConstraints (forge#958) and signs certificates only with RSA;
// pkijs can, but every structure is built by hand. Cost: its tsyringe needs reflect-metadata.
import 'reflect-metadata'; // @peculiar/x509 resolves its services through tsyringe, which needs it
import { webcrypto } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_nameConstraints,
  NameConstraints,
} from '@peculiar/asn1-x509';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { DeviceboundError, UsageError } from '../errors.ts';
import { isIpName, isPermittedName, normalizeName, permittedNames } from './names.ts';

export interface RunCaOptions {
  /** Host names (DNS names, lower case) the CA may issue for; 'localhost' and IP 127.0.0.1 and ::1 are always added. */
  hosts: readonly string[];
  /** Validity; default and maximum 24 h. */
  validityMs?: number;
  /**
   * Name constraints permitting only `hosts` (and loopback). Default true. `false` makes a CA
   * that can sign for any host, which intercepting a program's other destinations needs
   * (`egress.mode: intercept`): the trade-off is documented in the README. It is still made in
   * memory, lives a day at most, and only the program under test is told to trust it.
   */
  constrained?: boolean;
  /** Clock, for tests. */
  now?: () => Date;
}

export interface RunCa {
  /** PEM of the CA certificate (what programs are told to trust). */
  readonly certPem: string;
  /** The permitted names (after adding the loopback ones). */
  readonly hosts: readonly string[];
  /** False when the CA may sign for any host (interception of other destinations). */
  readonly constrained: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /**
   * A TLS SecureContext with a leaf certificate for `servername` (made on first use, then
   * cached; concurrent callers share one promise). Rejects with a clear Error for a name outside
   * the constraints unless `allowOutside` (a later feature intercepts other hosts; such leaves
   * will be refused by clients because of the name constraints — that is intended).
   */
  secureContext(servername: string, options?: { allowOutside?: boolean }): Promise<SecureContext>;
  /**
   * An SNICallback for tls.createServer / new tls.TLSSocket({isServer:true}); names not
   * permitted get an error (handshake fails). When no SNI is sent, `defaultName` is used.
   * Note: Node's TLS server calls an SNICallback only when the client sends a server name;
   * clients connecting to an IP address send none, so also give the socket
   * `secureContext: await ca.secureContext('127.0.0.1')` (via `new tls.TLSSocket`) for them.
   */
  sniCallback(
    defaultName?: string,
  ): (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
}

/** Default and maximum lifetime of a run CA. */
export const MAX_VALIDITY_MS = 24 * 60 * 60 * 1000;
/** How far notBefore is set back, so a program whose clock runs a little behind still accepts. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const EC_SIGN: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/**
 * Make a fresh certificate authority for one check run, held in memory only. Its private key is
 * a non-extractable CryptoKey; leaf keys exist only as PEM strings passed straight to
 * `tls.createSecureContext`. Nothing is written to disk.
 *
 * The whole certificate window (notBefore, set back by {@link CLOCK_SKEW_MS}, to notAfter) is at
 * most 24 h, and notAfter is at most `validityMs` after now.
 */
export async function createRunCa(options: RunCaOptions): Promise<RunCa> {
  const validityMs = options.validityMs ?? MAX_VALIDITY_MS;
  if (!Number.isFinite(validityMs) || validityMs <= 0 || validityMs > MAX_VALIDITY_MS)
    throw new UsageError(
      `CA validity must be more than 0 and at most 24 h (${MAX_VALIDITY_MS} ms); got ${validityMs} ms`,
      undefined,
      'tls-validity',
    );
  const hosts = Object.freeze(permittedNames(options.hosts));
  const constrained = options.constrained ?? true;
  const dnsHosts = hosts.filter((name) => !isIpName(name));

  // X.509 times have whole seconds; round so the Date fields equal what the certificate says.
  const now = Math.floor((options.now ?? (() => new Date()))().getTime() / 1000) * 1000;
  const notBefore = new Date(now - CLOCK_SKEW_MS);
  const notAfter = new Date(Math.min(now + validityMs, notBefore.getTime() + MAX_VALIDITY_MS));

  const caKeys = await webcrypto.subtle.generateKey(EC_KEY, false, ['sign', 'verify']);
  const caKeyId = await SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, webcrypto);
  const caCert = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [`devicebound run CA ${randomHex(4)}`] }, { O: ['devicebound'] }],
      notBefore,
      notAfter,
      keys: caKeys,
      signingAlgorithm: EC_SIGN,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        caKeyId,
        ...(constrained ? [nameConstraints(dnsHosts)] : []),
      ],
    },
    webcrypto,
  );
  const certPem = caCert.toString('pem');

  const leaves = new Map<string, Promise<SecureContext>>();
  const issueLeaf = (name: string): Promise<SecureContext> =>
    leafContext(name, { caCert, caKey: caKeys.privateKey, caKeyId: caKeyId.keyId, certPem });

  const secureContext: RunCa['secureContext'] = (servername, contextOptions = {}) => {
    let name: string;
    try {
      name = normalizeName(servername);
    } catch (error) {
      return Promise.reject(error);
    }
    if (constrained && !contextOptions.allowOutside && !isPermittedName(name, dnsHosts))
      return Promise.reject(notPermitted(name, hosts));
    let leaf = leaves.get(name);
    if (!leaf) {
      leaf = issueLeaf(name);
      leaves.set(name, leaf);
      // A failed issue is not cached, so a later handshake can try again.
      leaf.catch(() => leaves.delete(name));
    }
    return leaf;
  };

  const sniCallback: RunCa['sniCallback'] = (defaultName) => {
    const fallback = defaultName === undefined ? undefined : normalizeName(defaultName);
    if (constrained && fallback !== undefined && !isPermittedName(fallback, dnsHosts))
      throw notPermitted(fallback, hosts);
    return (servername, cb) => {
      const name = servername || fallback;
      if (!name) {
        cb(new DeviceboundError('tls-no-servername', 'TLS client sent no server name (SNI)'));
        return;
      }
      secureContext(name).then(
        (ctx) => cb(null, ctx),
        (error: unknown) => cb(error instanceof Error ? error : new Error(String(error))),
      );
    };
  };

  return {
    certPem,
    hosts,
    constrained,
    notBefore: caCert.notBefore,
    notAfter: caCert.notAfter,
    secureContext,
    sniCallback,
  };
}

interface Issuer {
  caCert: X509Certificate;
  caKey: webcrypto.CryptoKey;
  caKeyId: string;
  certPem: string;
}

/** A leaf for one name, signed by the run CA, wrapped in a SecureContext (leaf, then CA). */
async function leafContext(name: string, issuer: Issuer): Promise<SecureContext> {
  const ip = isIpName(name);
  // Extractable only because tls.createSecureContext needs the key as PEM; it lives in memory.
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const leaf = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      // No CN for an IP: OpenSSL checks a CN that looks like a host name against dNSName
      // constraints when the leaf has no DNS SAN, and '127.0.0.1' would fail that check.
      subject: ip ? [{ O: ['devicebound'] }] : [{ CN: [name] }, { O: ['devicebound'] }],
      issuer: issuer.caCert.subjectName,
      notBefore: issuer.caCert.notBefore,
      notAfter: issuer.caCert.notAfter,
      publicKey: keys.publicKey,
      signingKey: issuer.caKey,
      signingAlgorithm: EC_SIGN,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth], false),
        new SubjectAlternativeNameExtension([{ type: ip ? 'ip' : 'dns', value: name }], ip),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        new AuthorityKeyIdentifierExtension(issuer.caKeyId, false),
      ],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return createSecureContext({
    key: toPem('PRIVATE KEY', pkcs8),
    cert: `${leaf.toString('pem')}\n${issuer.certPem}\n`,
  });
}

/**
 * Critical NameConstraints (RFC 5280 §4.2.1.10) with only permitted subtrees: each DNS host
 * (which, per RFC 5280, also permits every subdomain: `github.com` covers `api.github.com`),
 * and the loopback addresses 127.0.0.1/32 and ::1/128. A client that enforces the extension
 * refuses any leaf this CA signs for another name, so the CA is useless outside this run's hosts.
 * No excluded subtrees: a name form with no permitted subtree (e.g. email) is unconstrained by
 * RFC 5280, but our leaves carry only DNS and IP names and are for serverAuth only.
 */
function nameConstraints(dnsHosts: readonly string[]): Extension {
  const subtree = (base: GeneralName) => new GeneralSubtree({ base });
  const permitted = new GeneralSubtrees([
    ...dnsHosts.map((dNSName) => subtree(new GeneralName({ dNSName }))),
    subtree(new GeneralName({ iPAddress: '127.0.0.1/32' })),
    subtree(new GeneralName({ iPAddress: '::1/128' })),
  ]);
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: permitted }));
  return new Extension(id_ce_nameConstraints, true, value);
}

function notPermitted(name: string, hosts: readonly string[]): DeviceboundError {
  return new DeviceboundError(
    'tls-name-not-permitted',
    `the run CA may not issue a certificate for ${JSON.stringify(name)}: it is outside the CA's name constraints (${hosts.join(', ')})`,
  );
}

/** A positive 128-bit serial number (RFC 5280 §4.1.2.2: at most 20 octets, non-negative). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

function randomHex(bytes: number): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

function toPem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
