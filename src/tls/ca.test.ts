import 'reflect-metadata';
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralSubtrees, id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate as PeculiarCertificate,
} from '@peculiar/x509';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunCa, type RunCa } from './ca.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const here = dirname(fileURLToPath(import.meta.url));

/** Servers opened by a test, closed after it. */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

/** A TLS server on 127.0.0.1 choosing its certificate by SNI. */
function serveSni(sniCallback: tls.TlsOptions['SNICallback']): Promise<number> {
  return listen(tls.createServer({ SNICallback: sniCallback }, (socket) => socket.end()));
}

/** A TLS server on 127.0.0.1 that presents one context whatever the client sends. */
function serveContext(secureContext: tls.SecureContext): Promise<number> {
  return listen(
    createNetServer((raw) => {
      const socket = new tls.TLSSocket(raw, { isServer: true, secureContext });
      socket.on('error', () => raw.destroy());
      socket.on('secure', () => socket.end());
    }),
  );
}

interface Handshake {
  authorized: boolean;
  peer: tls.DetailedPeerCertificate;
}

/** Connect as a client that trusts only `caPem`; resolves on a completed handshake. */
function handshake(
  port: number,
  caPem: string,
  options: {
    servername?: string;
    host?: string;
    rejectUnauthorized?: boolean;
    /** Check the certificate for this name instead of the host connected to. */
    identity?: string;
  } = {},
): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: options.host ?? '127.0.0.1',
      port,
      ca: [caPem],
      ...(options.servername === undefined ? {} : { servername: options.servername }),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ...(options.identity === undefined
        ? {}
        : {
            checkServerIdentity: (_host: string, cert: tls.PeerCertificate) =>
              tls.checkServerIdentity(options.identity ?? '', cert),
          }),
    });
    socket.once('secureConnect', () => {
      const result = { authorized: socket.authorized, peer: socket.getPeerCertificate(true) };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', reject);
  });
}

function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

describe('a run CA: clients that trust it accept its hosts', () => {
  it('serves github.com and api.github.com by SNI, verified against the CA alone', async () => {
    const ca = await createRunCa({ hosts: ['github.com', 'api.github.com'] });
    const port = await serveSni(ca.sniCallback());
    for (const servername of ['github.com', 'api.github.com']) {
      const result = await handshake(port, ca.certPem, { servername });
      expect(result.authorized).toBe(true);
      expect(result.peer.subjectaltname).toBe(`DNS:${servername}`);
    }
  });

  it('serves a subdomain of a host: a dNSName constraint permits the names below it', async () => {
    const ca = await createRunCa({ hosts: ['github.com'] });
    const port = await serveSni(ca.sniCallback());
    const result = await handshake(port, ca.certPem, { servername: 'api.github.com' });
    expect(result.authorized).toBe(true);
  });

  it('serves localhost, 127.0.0.1 and ::1 (a client sends no SNI to an IP address)', async () => {
    const ca = await createRunCa({ hosts: [] });
    const sniPort = await serveSni(ca.sniCallback());
    expect((await handshake(sniPort, ca.certPem, { servername: 'localhost' })).authorized).toBe(
      true,
    );
    const ipPort = await serveContext(await ca.secureContext('127.0.0.1'));
    const result = await handshake(ipPort, ca.certPem); // identity checked against the IP SAN
    expect(result.authorized).toBe(true);
    expect(result.peer.subjectaltname).toBe('IP Address:127.0.0.1');
    // ::1, checked as if connected to it (the test does not rely on IPv6 being up).
    const ipv6Port = await serveContext(await ca.secureContext('::1'));
    const ipv6 = await handshake(ipv6Port, ca.certPem, { identity: '::1' });
    expect(ipv6.authorized).toBe(true);
    expect(ipv6.peer.subjectaltname).toBe('IP Address:0:0:0:0:0:0:0:1');
  });

  it('uses the default name when the callback gets no server name', async () => {
    const ca = await createRunCa({ hosts: ['github.com'] });
    const callback = ca.sniCallback('github.com');
    const ctx = await new Promise((resolve, reject) =>
      callback('', (err, context) => (err ? reject(err) : resolve(context))),
    );
    expect(ctx).toBe(await ca.secureContext('github.com'));
    expect(() => ca.sniCallback('evil.example')).toThrow(/outside the CA's name constraints/);
  });
});

describe('a run CA: clients refuse it outside its hosts', () => {
  it('will not issue for a name outside the constraints unless told to', async () => {
    const ca = await createRunCa({ hosts: ['github.com'] });
    await expect(ca.secureContext('evil.example')).rejects.toMatchObject({
      code: 'tls-name-not-permitted',
      message: expect.stringContaining('"evil.example"'),
    });
    await expect(ca.secureContext('evilgithub.com')).rejects.toThrow(/outside/);
    await expect(ca.secureContext('10.0.0.1')).rejects.toThrow(/outside/);
    await expect(ca.secureContext('*.github.com')).rejects.toThrow(/wildcard/);
  });

  it('fails the handshake when the SNI callback is asked for such a name', async () => {
    const ca = await createRunCa({ hosts: ['github.com'] });
    const port = await serveSni(ca.sniCallback());
    await expect(handshake(port, ca.certPem, { servername: 'evil.example' })).rejects.toThrow();
  });

  it('makes clients refuse a leaf it was forced to sign outside the constraints', async () => {
    const ca = await createRunCa({ hosts: ['github.com'] });
    const port = await serveSni((name, cb) => {
      ca.secureContext(name, { allowOutside: true }).then((ctx) => cb(null, ctx), cb);
    });
    // The leaf is well formed and signed by the trusted CA: only the name constraints stop it.
    await expect(handshake(port, ca.certPem, { servername: 'evil.example' })).rejects.toThrow(
      /^permitted subtree violation$/,
    ); // OpenSSL's X509_V_ERR_PERMITTED_VIOLATION
    // (Node has no name for this verify error: its `code` is 'UNSPECIFIED'.)

    const leaf = await handshake(port, ca.certPem, {
      servername: 'evil.example',
      rejectUnauthorized: false,
    });
    expect(leaf.authorized).toBe(false);
    const leafCert = new X509Certificate(leaf.peer.raw);
    expect(leafCert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(leafCert.checkHost('evil.example')).toBe('evil.example');
    await expectOpensslVerify(ca.certPem, derToPem(leaf.peer.raw), 'evil.example', false);
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** `openssl verify` as a second, independent client (skipped when openssl is missing). */
async function expectOpensslVerify(caPem: string, leafPem: string, host: string, ok: boolean) {
  if (!hasOpenssl) return;
  const dir = await mkdtemp(join(tmpdir(), 'devicebound-tls-verify-'));
  try {
    // Certificates only: public material.
    await writeFile(join(dir, 'ca.pem'), caPem);
    await writeFile(join(dir, 'leaf.pem'), leafPem);
    const args = ['verify', '-CAfile', join(dir, 'ca.pem'), '-verify_hostname', host];
    const run = spawnSync('openssl', [...args, join(dir, 'leaf.pem')], { encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    if (ok) expect(output).toMatch(/: OK/);
    else expect(output).toMatch(/permitted subtree violation/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a run CA: certificates', () => {
  it('is a name-constrained ECDSA P-256 CA valid for at most 24 h', async () => {
    const now = new Date('2030-01-02T03:04:05.678Z');
    const ca = await createRunCa({ hosts: ['github.com', 'api.github.com'], now: () => now });
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toMatch(/^CN=devicebound run CA [0-9a-f]{8}\nO=devicebound$/);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.validFromDate).toEqual(ca.notBefore);
    expect(cert.validToDate).toEqual(ca.notAfter);
    expect(ca.notBefore.toISOString()).toBe('2030-01-02T02:59:05.000Z'); // now − 5 min, whole s
    expect(ca.notAfter.getTime() - ca.notBefore.getTime()).toBeLessThanOrEqual(DAY_MS);
    expect(ca.notAfter.getTime()).toBeLessThanOrEqual(now.getTime() + DAY_MS);
    expect(ca.hosts).toEqual(['github.com', 'api.github.com', 'localhost', '127.0.0.1', '::1']);

    const parsed = new PeculiarCertificate(ca.certPem);
    const basic = parsed.getExtension(BasicConstraintsExtension);
    expect(basic).toMatchObject({ critical: true, ca: true, pathLength: 0 });
    const usage = parsed.getExtension(KeyUsagesExtension);
    expect(usage?.critical).toBe(true);
    expect(usage?.usages).toBe(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign);
    expect(parsed.getExtension('2.5.29.14')).not.toBeNull(); // subject key identifier

    const constraints = parsed.getExtension(id_ce_nameConstraints);
    expect(constraints?.critical).toBe(true);
    const value = AsnConvert.parse(constraints?.value ?? new ArrayBuffer(0), NameConstraints);
    expect(value.excludedSubtrees).toBeUndefined();
    const permitted = value.permittedSubtrees ?? new GeneralSubtrees();
    expect(permitted.map((subtree) => subtree.base.dNSName ?? subtree.base.iPAddress)).toEqual([
      'github.com',
      'api.github.com',
      'localhost',
      '127.0.0.1/32',
      '::1/128',
    ]);
  });

  it('signs leaves for one name each, for server authentication, inside its own validity', async () => {
    const ca = await createRunCa({ hosts: ['github.com'] });
    const port = await serveSni(ca.sniCallback());
    const { peer } = await handshake(port, ca.certPem, { servername: 'github.com' });
    const leaf = new X509Certificate(peer.raw);
    const caCert = new X509Certificate(ca.certPem);
    expect(leaf.ca).toBe(false);
    expect(leaf.subjectAltName).toBe('DNS:github.com');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.validFromDate.getTime()).toBeGreaterThanOrEqual(ca.notBefore.getTime());
    expect(leaf.validToDate.getTime()).toBeLessThanOrEqual(ca.notAfter.getTime());
    expect(leaf.publicKey.equals(caCert.publicKey)).toBe(false); // its own key

    const parsed = new PeculiarCertificate(peer.raw);
    expect(parsed.getExtension(KeyUsagesExtension)?.usages).toBe(KeyUsageFlags.digitalSignature);
    expect(parsed.getExtension(ExtendedKeyUsageExtension)?.usages).toEqual([
      ExtendedKeyUsage.serverAuth,
    ]);
    expect(parsed.getExtension('2.5.29.35')).not.toBeNull(); // authority key identifier
    // The chain sent is the leaf, then the CA.
    expect(peer.issuerCertificate.fingerprint256).toBe(caCert.fingerprint256);
    await expectOpensslVerify(ca.certPem, derToPem(peer.raw), 'github.com', true);
  });

  it('refuses a validity over 24 h or not positive', async () => {
    for (const validityMs of [DAY_MS + 1, 0, Number.NaN])
      await expect(createRunCa({ hosts: [], validityMs })).rejects.toMatchObject({
        code: 'tls-validity',
      });
    const now = new Date('2030-01-02T03:04:05Z');
    const ca = await createRunCa({ hosts: [], validityMs: 60 * 60 * 1000, now: () => now });
    expect(ca.notAfter.toISOString()).toBe('2030-01-02T04:04:05.000Z');
  });

  it('refuses invalid host names', async () => {
    await expect(createRunCa({ hosts: ['*.github.com'] })).rejects.toMatchObject({
      code: 'tls-invalid-host',
    });
    await expect(createRunCa({ hosts: [''] })).rejects.toThrow(/empty host name/);
  });
});

describe('a run CA: leaves are cached', () => {
  it('shares one promise between concurrent callers and one context per name', async () => {
    const ca = await createRunCa({ hosts: ['github.com', 'api.github.com'] });
    const first = ca.secureContext('github.com');
    const second = ca.secureContext('github.com');
    expect(second).toBe(first);
    const context = await first;
    expect(await ca.secureContext('GitHub.com.')).toBe(context); // same name, normalised
    expect(await ca.secureContext('api.github.com')).not.toBe(context);
  });

  it('does not let a cached outside leaf bypass the constraint check', async () => {
    const ca = await createRunCa({ hosts: ['github.com'] });
    await ca.secureContext('evil.example', { allowOutside: true });
    await expect(ca.secureContext('evil.example')).rejects.toThrow(/outside/);
  });
});

describe('a run CA: no key material on disk', () => {
  it('does not import node:fs in its own source', async () => {
    const sources = (await readdir(here)).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
    );
    expect(sources).toContain('ca.ts');
    for (const file of sources) {
      const text = await readFile(join(here, file), 'utf8');
      expect(text, file).not.toMatch(/['"](node:)?fs(\/promises)?['"]/);
    }
  });

  it('creates no file in HOME, TMPDIR or the working directory during a run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'devicebound-tls-disk-'));
    try {
      const folders = { HOME: 'home', TMPDIR: 'tmp', cwd: 'cwd' };
      for (const folder of Object.values(folders)) await mkdir(join(root, folder));
      // A separate process, so HOME, TMPDIR and cwd are really the empty folders throughout.
      const script = `
        import tls from 'node:tls';
        const t0 = performance.now();
        const { createRunCa } = await import(${JSON.stringify(join(here, 'ca.ts'))});
        const t1 = performance.now();
        const ca = await createRunCa({ hosts: ['github.com'] });
        const t2 = performance.now();
        await ca.secureContext('github.com');
        const t3 = performance.now();
        const ms = (a, b) => (b - a).toFixed(1) + ' ms';
        console.log('run CA (cold process): import ' + ms(t0, t1) + ', createRunCa ' + ms(t1, t2) + ', first leaf ' + ms(t2, t3));
        const server = tls.createServer({ SNICallback: ca.sniCallback() }, (s) => s.end());
        await new Promise((done) => server.listen(0, '127.0.0.1', done));
        const socket = tls.connect({
          host: '127.0.0.1', port: server.address().port, servername: 'github.com', ca: [ca.certPem],
        });
        await new Promise((done, fail) => { socket.on('secureConnect', done); socket.on('error', fail); });
        if (!socket.authorized) throw new Error('not authorized');
        socket.destroy();
        server.close();
        console.log('handshake ok');
      `;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '--eval', script],
        {
          cwd: join(root, folders.cwd),
          env: {
            PATH: process.env.PATH ?? '',
            HOME: join(root, folders.HOME),
            TMPDIR: join(root, folders.TMPDIR),
            TMP: join(root, folders.TMPDIR),
            TEMP: join(root, folders.TMPDIR),
          },
        },
      );
      expect(stdout).toContain('handshake ok');
      console.log(stdout.split('\n')[0]);
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      const files = entries.filter((entry) => !entry.isDirectory());
      expect(files.map((entry) => join(entry.parentPath, entry.name))).toEqual([]);
      for (const entry of files) {
        const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
        expect(text).not.toContain('PRIVATE KEY');
      }
      expect(entries.map((entry) => entry.name).sort()).toEqual(['cwd', 'home', 'tmp']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('a run CA: timing', () => {
  it('reports how long the CA and the first leaf take', async () => {
    const started = performance.now();
    const ca: RunCa = await createRunCa({ hosts: ['github.com', 'api.github.com'] });
    const created = performance.now();
    await ca.secureContext('github.com');
    const leaf = performance.now();
    await ca.secureContext('api.github.com');
    const second = performance.now();
    console.log(
      `run CA: createRunCa ${(created - started).toFixed(1)} ms, first leaf ${(leaf - created).toFixed(1)} ms, second leaf ${(second - leaf).toFixed(1)} ms`,
    );
    expect(ca.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
