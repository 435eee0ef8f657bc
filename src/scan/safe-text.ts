/**
 * Text we did not write (file and member names, library error messages) made safe to print:
 * control, zero-width and bidirectional characters shown as `\u{1B}` (as every report shows
 * them), and any credential a rule or canary finds replaced by its redacted preview. A file
 * named after a token must not leak the token through the report.
 */
import { fingerprint } from '../evidence/secret.ts';
import { showInvisible } from '../visible.ts';
import type { Detector } from './content.ts';
import { findSecrets } from './detect.ts';
import { RULES } from './rules/index.ts';

const MAX = 300;

export function safeText(text: string, detector?: Detector): string {
  let out = showInvisible(text);
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
