import type { Canary } from '../lab/index.ts';
import { showInvisible } from '../visible.ts';

/** How much of a failed run's stderr reports keep: its last few lines, briefly. */
const MAX_LINES = 4;
const MAX_CHARS = 400;

/**
 * A long run of token characters: withheld from the words reports quote when one of its parts
 * looks like a key, token or code (`tokenLike`), whether or not the lab issued it (a program in
 * the sandbox may still print a value of its own).
 */
const TOKEN_RUN = /[A-Za-z0-9+/_~.=:-]{16,}/g;

/** A part of 16+ characters mixing two of upper case, lower case and digits, with 2+ digits. */
function tokenLike(run: string): boolean {
  return run.split(/[/.:=~]/).some((part) => {
    if (part.length < 16) return false;
    const digits = part.replace(/[^0-9]/g, '').length;
    const classes = [/[A-Z]/, /[a-z]/, /[0-9]/].filter((re) => re.test(part)).length;
    return digits >= 2 && classes >= 2;
  });
}

/**
 * The last lines a failed run wrote to stderr, as reports quote them ("the program said: …"),
 * so that a rejected configuration or a refused option reads in the program's own words. Every
 * credential the lab issued is replaced by its redacted preview, every other long token-like
 * value by `[withheld]`, and invisible characters are shown as escapes. `undefined` when the
 * run wrote nothing but blank lines.
 */
export function lastWords(stderr: Buffer | undefined, canaries: Canary[]): string | undefined {
  if (!stderr || stderr.length === 0) return undefined;
  let text = stderr.subarray(Math.max(0, stderr.length - 16 * 1024)).toString('utf8');
  for (const { secret } of canaries) {
    const value = secret.reveal();
    if (value.length >= 4 && text.includes(value)) text = text.split(value).join(secret.preview);
  }
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-MAX_LINES)
    .map((line) =>
      showInvisible(line.replace(TOKEN_RUN, (run) => (tokenLike(run) ? '[withheld]' : run))),
    );
  if (lines.length === 0) return undefined;
  const joined = lines.join('\n');
  return joined.length <= MAX_CHARS ? joined : `…${joined.slice(-(MAX_CHARS - 1))}`;
}
