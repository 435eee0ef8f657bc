import { describe, expect, it } from 'vitest';
import { destinationUrl, egressAllows, hostMatches, taskOf } from './egress.ts';
import { runWith } from './testing.ts';

describe('hostMatches', () => {
  it.each([
    // An exact glob is the host itself, whatever the case or a trailing dot.
    ['example.com', 'example.com', true],
    ['Example.COM', 'example.com', true],
    ['example.com.', 'example.com', true],
    ['example.com', 'example.com.', true],
    // An exact glob does not reach into subdomains, nor does a shared ending count.
    ['example.com', 'api.example.com', false],
    ['example.com', 'badexample.com', false],
    // `*.` allows subdomains at any depth, never the domain itself.
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.EXAMPLE.com', 'API.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '.example.com', false],
    // A look-alike that merely ends in the same letters is another domain.
    ['*.example.com', 'evilexample.com', false],
    ['*.example.com', 'example.com.evil.net', false],
    // `*` elsewhere is no wildcard: only the same spelling matches.
    ['*', 'example.com', false],
    ['api.*.com', 'api.example.com', false],
    ['api.*.com', 'api.*.com', true],
    // IP literals, IPv6 with or without brackets, compare exactly.
    ['203.0.113.7', '203.0.113.7', true],
    ['[2001:db8::1]', '2001:db8::1', true],
    ['2001:db8::1', '2001:db8::2', false],
    // An empty glob allows nothing.
    ['', 'example.com', false],
  ])('%j allows %j: %s', (glob, host, expected) => {
    expect(hostMatches(glob, host)).toBe(expected);
  });

  it('egressAllows: any glob of the list; an empty list allows nothing', () => {
    expect(egressAllows(['example.org', '*.example.com'], 'api.example.com')).toBe(true);
    expect(egressAllows(['example.org'], 'api.example.com')).toBe(false);
    expect(egressAllows([], 'api.example.com')).toBe(false);
  });
});

describe('destinationUrl', () => {
  const attempt = (url: string, method?: string) =>
    runWith({ egress: [{ at: 100, url, ...(method && { method }) }] }).events.find(
      (event) => event.type === 'egress',
    );

  it('leaves out the default port, keeps any other, and brackets IPv6', () => {
    const url = (...args: Parameters<typeof attempt>) => {
      const event = attempt(...args);
      return event?.type === 'egress' ? destinationUrl(event) : undefined;
    };
    expect(url('https://telemetry.example.com/v1')).toBe('https://telemetry.example.com');
    expect(url('https://telemetry.example.com/v1', 'POST')).toBe(
      'https://telemetry.example.com/v1',
    );
    expect(url('http://updates.example.com:8080/latest')).toBe(
      'http://updates.example.com:8080/latest',
    );
    expect(url('https://[2001:db8::1]:8443/', 'GET')).toBe('https://[2001:db8::1]:8443/');
  });
});

describe('taskOf', () => {
  it("charges an attempt to the program run going on, else to the run's task", () => {
    const run = runWith({
      scenario: 'session',
      invocations: [
        { task: 'login', startedAt: 1000, egress: [{ at: 1500, url: 'https://a.example.com' }] },
        { task: 'sync', startedAt: 60_000, egress: [{ at: 60_500, url: 'https://b.example.com' }] },
        { task: 'sync', startedAt: 90_000, egress: [{ at: 500, url: 'https://c.example.com' }] },
      ],
    });
    const tasks = run.events.flatMap((event) =>
      event.type === 'egress' ? [`${event.host}: ${taskOf(run, event)}`] : [],
    );
    expect(tasks).toEqual(['c.example.com: login', 'a.example.com: login', 'b.example.com: sync']);
  });
});
