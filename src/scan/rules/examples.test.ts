// The rules against what providers publish in their own documentation (test/fixtures/scan/
// provider-examples.json): a documented token in its documented context is found by its rule;
// a documented EXAMPLE token is matched by the rule's shape but rejected as a placeholder.
// Providers that publish no example are listed there with what they do publish.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../detect.ts';
import { RULES } from './index.ts';

interface Example {
  provider: string;
  rule: string;
  expect: 'found' | 'placeholder';
  source: string;
  before: string;
  parts: string[];
  after: string;
}

const corpus = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/scan/provider-examples.json', import.meta.url),
    'utf8',
  ),
) as { examples: Example[]; none: Record<string, string> };

describe('documented provider examples', () => {
  it.each(corpus.examples.map((e) => [`${e.provider}: ${e.source}`, e] as const))(
    '%s',
    (_name, example) => {
      const value = example.parts.join('');
      const text = `${example.before}${value}${example.after}`;
      const rule = RULES.find((r) => r.id === example.rule);
      expect(rule, example.rule).toBeDefined();
      if (!rule) return;
      const found = findSecrets(text);
      if (example.expect === 'found') {
        expect(found.map((f) => [f.rule.id, f.value === value])).toEqual([[example.rule, true]]);
      } else {
        const shape = [...text.matchAll(new RegExp(rule.pattern.source, rule.pattern.flags))];
        expect(shape.map((m) => m.groups?.secret)).toEqual([value]);
        expect(found).toEqual([]);
      }
    },
  );

  it('says which providers publish no example', () => {
    expect(Object.keys(corpus.none).length).toBeGreaterThanOrEqual(6);
  });
});
