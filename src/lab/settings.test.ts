import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { resolveLabSettings } from './settings.ts';

describe('resolveLabSettings', () => {
  it('takes the scenario defaults: the expire scenario never decides and expires in 4 intervals', () => {
    const settings = resolveLabSettings({ scenario: 'expire', interval: 2 });
    expect(settings.autoDecision).toBeNull();
    expect(settings.expiresIn).toBe(8);
  });

  it('lets explicit options win over the scenario', () => {
    const settings = resolveLabSettings({
      scenario: 'server-error',
      faultPolls: { 5: 'drop' },
      approveAfter: 3,
    });
    expect([...settings.faultPolls]).toEqual([[5, 'drop']]);
    expect(settings.autoDecision).toMatchObject({ decision: 'approve', afterSeconds: 3 });
  });

  it('denies rather than approves on its own in the deny scenario', () => {
    expect(resolveLabSettings({ scenario: 'deny', approveAfter: 0 }).autoDecision?.decision).toBe(
      'deny',
    );
  });

  it.each([
    [{ interval: 0 }, /interval: must be a whole number of seconds/],
    [{ interval: 1.5 }, /interval: must be a whole number/],
    [{ port: 70000 }, /port: must be an integer/],
    [{ scenario: 'nope' as never }, /unknown scenario 'nope'/],
    [{ slowDownPolls: [0] }, /slowDownPolls: poll numbers start at 1/],
    [{ faultPolls: { 2: 'explode' as never } }, /faultPolls: fault 'explode'/],
    [{ clientId: 'has space' }, /clientId: must be 1-200 visible ASCII/],
  ])('refuses %j with a usage error naming the field', (options, message) => {
    expect(() => resolveLabSettings(options)).toThrow(UsageError);
    expect(() => resolveLabSettings(options)).toThrow(message);
  });
});
