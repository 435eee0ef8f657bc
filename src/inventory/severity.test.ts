import { describe, expect, it } from 'vitest';
import { assessSeverity, type SeverityInput } from './severity.ts';

const base: SeverityInput = {
  status: 'ok',
  storage: 'plaintext',
  readableBy: 'owner',
  credentials: [],
};

describe('assessSeverity', () => {
  it.each<[string, Partial<SeverityInput>, string]>([
    [
      'a refresh token the whole machine can read',
      { readableBy: 'world', credentials: [{ kind: 'refresh' }] },
      'critical',
    ],
    [
      'a PAT its group can read',
      { readableBy: 'group', credentials: [{ kind: 'pat' }] },
      'critical',
    ],
    ['a refresh token readable by its owner only', { credentials: [{ kind: 'refresh' }] }, 'high'],
    ['a client secret', { credentials: [{ kind: 'client-secret' }] }, 'high'],
    // A GitHub OAuth token is an access token that never expires.
    ['a non-expiring access token', { credentials: [{ kind: 'access', longLived: true }] }, 'high'],
    [
      'a valid access token readable by others',
      { readableBy: 'group', credentials: [{ kind: 'access', expired: false }] },
      'high',
    ],
    ['a valid access token', { credentials: [{ kind: 'access', expired: false }] }, 'medium'],
    // Unknown expiry counts as live: the file does not prove otherwise.
    ['an access token of unknown expiry', { credentials: [{ kind: 'access' }] }, 'medium'],
    [
      'only expired tokens',
      {
        credentials: [
          { kind: 'access', expired: true },
          { kind: 'id', expired: true },
        ],
      },
      'low',
    ],
    [
      'an expired client secret beside an expired access token',
      {
        credentials: [
          { kind: 'client-secret', expired: true },
          { kind: 'access', expired: true },
        ],
      },
      'low',
    ],
    ['an encrypted cache', { storage: 'encrypted' }, 'low'],
    ['a keyring reference', { storage: 'keyring-reference' }, 'info'],
    ['a file without credentials', { readableBy: 'world' }, 'info'],
    ['a malformed file', { status: 'malformed', storage: 'unknown' }, 'info'],
  ])('%s → %s', (_, input, expected) => {
    expect(assessSeverity({ ...base, ...input })).toBe(expected);
  });
});
