/**
 * Text we did not write (file and member names, library error messages) made safe to print:
 * control characters shown as `\xNN`, and any credential a rule or canary finds replaced by its
 * redacted preview. A file named after a token must not leak the token through the report.
 */
import { fingerprint } from '../evidence/secret.ts';
import type { Detector } from './content.ts';
import { findSecrets } from './detect.ts';
import { RULES } from './rules/index.ts';

const MAX = 300;

export function safeText(text: string, detector?: Detector): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
  let out = text.replace(/[\u0000-\u001f\u007f]/g, (char) => {
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  const matches = findSecrets(out, RULES);
  for (const match of matches.reverse()) {
    out = `${out.slice(0, match.start)}[redacted ${match.rule.id}]${out.slice(match.end)}`;
  }
  if (detector?.type === 'canaries' && detector.needles.size > 0) {
    const bytes = Buffer.from(out, 'utf8');
    let hit = false;
    detector.needles.matcher.scan(bytes, 0, bytes.length, () => {
      hit = true;
    });
    if (hit) out = `[name redacted: it holds a canary; ${fingerprint(out)}]`;
  }
  return out.length > MAX ? `${out.slice(0, MAX)}…` : out;
}
