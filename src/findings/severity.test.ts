import { describe, expect, it } from 'vitest';
import { isFailing, SEVERITIES, severityRank } from './severity.ts';

describe('severity', () => {
  it('orders info < low < medium < high < critical', () => {
    expect([...SEVERITIES].sort((a, b) => severityRank(a) - severityRank(b))).toEqual([
      'info',
      'low',
      'medium',
      'high',
      'critical',
    ]);
  });

  it('fails at and above fail_on, not below', () => {
    expect(isFailing({ severity: 'medium' }, 'medium')).toBe(true);
    expect(isFailing({ severity: 'critical' }, 'low')).toBe(true);
    expect(isFailing({ severity: 'low' }, 'medium')).toBe(false);
    expect(isFailing({ severity: 'info' }, 'info')).toBe(true);
  });
});
