import { describe, expect, it } from 'vitest';
import { isPermittedName, normalizeName, permittedNames } from './names.ts';

describe('normalizeName', () => {
  it('gives the canonical form of names clients send', () => {
    expect(normalizeName('GitHub.COM')).toBe('github.com'); // DNS is case-insensitive
    expect(normalizeName('github.com.')).toBe('github.com'); // fully qualified form
    expect(normalizeName('127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeName('0:0:0:0:0:0:0:1')).toBe('::1'); // IPv6 compressed
    expect(normalizeName('[::1]')).toBe('::1'); // as written in a URL
    expect(normalizeName('xn--bcher-kva.example')).toBe('xn--bcher-kva.example'); // an A-label
  });

  it.each([
    ['', 'empty'],
    ['.', 'empty once the trailing dot is gone'],
    ['*.github.com', 'wildcard'],
    ['github..com', 'empty label'],
    ['-github.com', 'label starts with a hyphen'],
    ['git_hub.com', 'underscore is not a host name character'],
    ['bücher.example', 'not ASCII: IDNA is not applied'],
    ['github.com/path', 'a URL, not a name'],
    ['1.2.3', 'numeric last label: neither a DNS name nor an IPv4 address'],
    [`${'a'.repeat(64)}.com`, 'label longer than 63 characters'],
    ['fe80::1%eth0', 'IPv6 zone'],
  ])('rejects %j (%s)', (raw) => {
    expect(() => normalizeName(raw)).toThrow(expect.objectContaining({ code: 'tls-invalid-host' }));
  });
});

describe('permittedNames', () => {
  it('adds the loopback names once, after the hosts', () => {
    expect(permittedNames(['GitHub.com', 'github.com.', 'localhost'])).toEqual([
      'github.com',
      'localhost',
      '127.0.0.1',
      '::1',
    ]);
  });

  it('refuses IP addresses other than loopback', () => {
    expect(() => permittedNames(['10.0.0.1'])).toThrow(/only DNS names/);
  });
});

describe('isPermittedName (the RFC 5280 rule clients apply)', () => {
  const hosts = ['github.com', 'localhost'];
  it.each([
    ['github.com', true], // the host itself
    ['api.github.com', true], // a dNSName subtree covers subdomains
    ['evilgithub.com', false], // a suffix match must be on a label boundary
    ['github.com.evil.example', false],
    ['127.0.0.1', true],
    ['::1', true],
    ['10.0.0.1', false], // only loopback addresses
  ])('%s → %s', (name, expected) => {
    expect(isPermittedName(name, hosts)).toBe(expected);
  });
});
