/**
 * Runs the rules over one piece of text. The text is the bytes of a line as latin1 (one
 * character per byte, so indexes are byte offsets) or a UTF-16LE string pulled out of binary
 * data. When two rules find overlapping text, the rule listed first in `RULES` wins.
 */
import { RULES } from './rules/index.ts';
import type { Rule, RuleMatch } from './rules/types.ts';

export function findSecrets(text: string, rules: readonly Rule[] = RULES): RuleMatch[] {
  let lower: string | undefined;
  const kept: RuleMatch[] = [];
  for (const rule of rules) {
    lower ??= text.toLowerCase();
    if (!rule.keywords.some((keyword) => (lower as string).includes(keyword))) continue;
    const pattern = new RegExp(rule.pattern.source, rule.pattern.flags);
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0].length === 0) pattern.lastIndex++;
      const span = match.indices?.groups?.secret;
      const value = match.groups?.secret;
      if (!span || value === undefined) continue;
      if (rule.verify && !rule.verify(value, match)) continue;
      const [start, end] = span;
      if (kept.some((other) => other.start < end && start < other.end)) continue;
      kept.push({ rule, start, end, value });
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}
