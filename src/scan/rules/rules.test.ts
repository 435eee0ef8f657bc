// Every rule judges its own samples right, alone and among all the rules; every sample says why.
import { describe, expect, it } from 'vitest';
import { findSecrets, MIN_KEYWORD_BYTES } from '../detect.ts';
import { RULES } from './index.ts';

describe.each(RULES.map((rule) => [rule.id, rule] as const))('rule %s', (_id, rule) => {
  it('is well formed', () => {
    expect(rule.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(rule.description).toMatch(/^Detects /);
    expect(rule.pattern.flags).toContain('g');
    expect(rule.pattern.flags).toContain('d');
    expect(rule.pattern.source).toContain('(?<secret>');
    expect(rule.keywords.length).toBeGreaterThan(0);
    for (const keyword of rule.keywords) {
      expect(Buffer.byteLength(keyword, 'latin1')).toBeGreaterThanOrEqual(MIN_KEYWORD_BYTES);
      if (rule.pattern.flags.includes('i')) expect(keyword).toBe(keyword.toLowerCase());
    }
    expect(rule.samples.positive.length).toBeGreaterThan(0);
    expect(rule.samples.negative.length).toBeGreaterThan(0);
    for (const sample of [...rule.samples.positive, ...rule.samples.negative]) {
      expect(sample.why.trim().length, 'each sample says why').toBeGreaterThan(5);
      expect(sample.why).not.toContain('\n');
    }
  });

  it.each(rule.samples.positive.map((s) => [s.why, s.text] as const))('finds: %s', (_why, text) => {
    expect(findSecrets(text, [rule]).length).toBe(1);
  });

  it.each(rule.samples.negative.map((s) => [s.why, s.text] as const))(
    'ignores: %s',
    (_why, text) => {
      expect(findSecrets(text, [rule])).toEqual([]);
    },
  );
});

describe('all rules together', () => {
  it('ids are unique', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('report each positive sample once, overlapping finds keep the most specific rule', () => {
    for (const rule of RULES) {
      for (const sample of rule.samples.positive) {
        const found = findSecrets(sample.text);
        expect(found.length, `${rule.id}: ${sample.why}`).toBeGreaterThanOrEqual(1);
        const spans = found.map((f) => [f.start, f.end]);
        for (const [i, a] of spans.entries())
          for (const b of spans.slice(i + 1))
            expect((a[0] as number) < (b[1] as number) && (b[0] as number) < (a[1] as number)).toBe(
              false,
            );
      }
    }
  });

  it('a JWT in an access_token field is reported by the jwt rule', () => {
    const sample = RULES.find((r) => r.id === 'jwt')?.samples.positive[1]?.text ?? '';
    expect(findSecrets(sample).map((f) => f.rule.id)).toEqual(['jwt']);
  });
});
