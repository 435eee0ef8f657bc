/**
 * Runs the rules. Two ways, one result:
 *
 * - `findSecrets(text)`: every rule whose keyword the text holds runs its regex over the whole
 *   text. Simple, for short strings (file names, error messages).
 * - `RuleEngine.find(bytes)`: for file contents. One Wu–Manber pass (src/search/matcher.ts) finds
 *   every rule's keywords at once, as ASCII and as UTF-16LE, in any case; each rule's regex then
 *   runs only on the lines around its own keywords (at most `WINDOW_BYTES` either side on a very
 *   long line). No rule's match crosses a line and every match holds one of its rule's keywords
 *   (`detect.test.ts` holds both ways to every regex run over the whole text, with no keyword
 *   filter, on random text), so this finds what that would, at a fraction of the cost: most
 *   blocks of a log hold no keyword at all, and are passed over at the speed of the matcher.
 *
 * When two rules find overlapping text, the rule listed first in `RULES` wins.
 */
import { Matcher, type PatternSpec } from '../search/matcher.ts';
import { RULES } from './rules/index.ts';
import type { Rule, RuleMatch } from './rules/types.ts';

/** How far either side of a keyword a rule's regex looks on a line longer than twice this. */
export const WINDOW_BYTES = 16 * 1024;
/** Keywords must be at least this long: the matcher jumps at most (shortest keyword − 1) bytes. */
export const MIN_KEYWORD_BYTES = 4;
/** UTF-16LE strings shorter than this many characters are not searched. */
const MIN_UTF16_RUN = 8;

export function findSecrets(text: string, rules: readonly Rule[] = RULES): RuleMatch[] {
  let lower: string | undefined;
  const kept: RuleMatch[] = [];
  for (const rule of rules) {
    lower ??= text.toLowerCase();
    const anyCase = rule.pattern.flags.includes('i');
    const holds = rule.keywords.some((keyword) =>
      anyCase ? (lower as string).includes(keyword) : text.includes(keyword),
    );
    if (!holds) continue;
    for (const match of execAll(rule, text)) {
      if (!overlaps(kept, match.start, match.end)) kept.push(match);
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** A rule's match in bytes: offsets into the buffer given to `RuleEngine.find`. */
export interface ByteMatch extends RuleMatch {
  /** The text was UTF-16LE (inside binary data): offsets count bytes, two per character. */
  utf16: boolean;
}

/** Which rules a matcher pattern stands for, and how it is written. */
interface Trigger {
  rules: number[];
  utf16: boolean;
  /** The keyword's length in bytes (ASCII). */
  length: number;
}

/** The rules compiled for bytes: one keyword matcher, one regex per rule. Build once, reuse. */
export class RuleEngine {
  readonly rules: readonly Rule[];
  readonly #matcher: Matcher;
  readonly #triggers: Trigger[];
  readonly #patterns: RegExp[];

  constructor(rules: readonly Rule[] = RULES) {
    this.rules = rules;
    this.#patterns = rules.map((rule) => new RegExp(rule.pattern.source, rule.pattern.flags));
    // One matcher pattern per keyword, in ASCII and in UTF-16LE, for all the rules that list it.
    const byKeyword = new Map<string, Trigger>();
    for (const [index, rule] of rules.entries()) {
      const caseInsensitive = rule.pattern.flags.includes('i');
      for (const keyword of rule.keywords) {
        if (Buffer.byteLength(keyword, 'latin1') < MIN_KEYWORD_BYTES)
          throw new RangeError(
            `rule ${rule.id}: keyword "${keyword}" is shorter than ${MIN_KEYWORD_BYTES} bytes`,
          );
        const written = caseInsensitive ? keyword.toLowerCase() : keyword;
        for (const utf16 of [false, true]) {
          const id = `${caseInsensitive ? 'i' : 's'}${utf16 ? 'u' : 'a'}:${written}`;
          const trigger = byKeyword.get(id) ?? { rules: [], utf16, length: written.length };
          if (!trigger.rules.includes(index)) trigger.rules.push(index);
          byKeyword.set(id, trigger);
        }
      }
    }
    const specs: PatternSpec[] = [];
    this.#triggers = [];
    for (const [id, trigger] of byKeyword) {
      const keyword = id.slice(id.indexOf(':') + 1);
      // Found by its key (the piece ordinary text holds least), checked whole.
      const keyEnd = keyOf(keyword) + MIN_KEYWORD_BYTES;
      specs.push({
        bytes: Buffer.from(keyword, trigger.utf16 ? 'utf16le' : 'latin1'),
        caseInsensitive: id.startsWith('i'),
        // In UTF-16LE every character is two bytes; a key ends after its last character's 0.
        keyEnd: trigger.utf16 ? 2 * keyEnd : keyEnd,
      });
      this.#triggers.push(trigger);
    }
    this.#matcher = new Matcher(specs);
  }

  /**
   * Every match in `bytes[0, end)`, sorted by position: ASCII text read as latin1 (one character
   * per byte, any bytes valid), and printable ASCII stored as UTF-16LE at either alignment.
   */
  find(bytes: Uint8Array, end = bytes.length): ByteMatch[] {
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Keyword hits as (rule, position, utf16) triples, flat.
    const hits: number[] = [];
    const triggers = this.#triggers;
    const rules = this.rules;
    this.#matcher.scan(buffer, 0, end, (pattern, start) => {
      const trigger = triggers[pattern] as Trigger;
      for (const rule of trigger.rules) {
        if (trigger.utf16) hits.push(rule, start, 1);
        else if (rules[rule]?.follows?.(buffer, start + trigger.length, end) ?? true)
          hits.push(rule, start, 0);
      }
    });
    if (!hits.length) return [];
    const order: number[] = [];
    for (let h = 0; h < hits.length; h += 3) order.push(h);
    // By rule, then encoding (and UTF-16 alignment), then position: windows merge in one pass.
    order.sort(
      (a, b) =>
        (hits[a] as number) - (hits[b] as number) ||
        encodingKey(hits, a) - encodingKey(hits, b) ||
        (hits[a + 1] as number) - (hits[b + 1] as number),
    );
    const found: ByteMatch[] = [];
    let rule = -1;
    let key = -1;
    let from = 0;
    let to = 0;
    const flush = () => {
      if (rule >= 0 && to > from) this.#run(rule, buffer, from, to, key >= 1, found);
    };
    for (const h of order) {
      const hitRule = hits[h] as number;
      const hitKey = encodingKey(hits, h);
      const at = hits[h + 1] as number;
      const [start, stop] =
        hitKey === 0 ? lineAround(buffer, at, end) : utf16RunAround(buffer, at, end);
      if (hitRule === rule && hitKey === key && start <= to) {
        if (stop > to) to = stop;
        continue;
      }
      flush();
      rule = hitRule;
      key = hitKey;
      from = start;
      to = stop;
    }
    flush();
    return resolveOverlaps(found);
  }

  #run(
    index: number,
    buffer: Buffer,
    from: number,
    to: number,
    utf16: boolean,
    found: ByteMatch[],
  ): void {
    if (utf16 && (to - from) / 2 < MIN_UTF16_RUN) return;
    const text = utf16 ? buffer.toString('utf16le', from, to) : buffer.toString('latin1', from, to);
    const rule = this.rules[index] as Rule;
    const scale = utf16 ? 2 : 1;
    for (const match of execAll(rule, text, this.#patterns[index])) {
      found.push({
        ...match,
        start: from + scale * match.start,
        end: from + scale * match.end,
        utf16,
      });
    }
  }
}

/**
 * What logs of sign-ins are made of: English, the words of OAuth and the device flow, and the
 * shapes of timestamps, paths and identifiers. The matcher stops wherever the last two bytes of a
 * key appear, so each keyword is keyed on the piece whose pairs this text holds least:
 * `access_token` on `ss_t`, not on `oken` (every "token" would stop it).
 */
const ORDINARY_TEXT =
  `the of and to in is that for it as was with be by on not he this are or his from at which
but have an they you were her she there been one all we their has would when what will more if no
out so said can who about up other into than its some time could them only then these two may first
any like now my over such our also after new most made after where back here through much before
token access refresh bearer authorization authorize device code user verification uri complete
pending slow down expired denied granted client id secret scope openid profile offline email
request response error status session login logout sign interval polling poll retry timeout
worker queue job cache hit miss upstream connection reset info debug warn warning trace fatal
get post put delete http https json content type length accept header cookie set agent
2026-11-27T10:20:30.123Z 0.9.12 v1.2.3 /api/v1/items /oauth/token /device /login 10.0.0.1
client_id user_code device_code grant_type expires_in slow_down access_denied worker-3 x-request-id`
    .toLowerCase()
    .split(/\s+/);

const PAIR_COUNTS = (() => {
  const counts = new Map<string, number>();
  for (const word of ORDINARY_TEXT)
    for (let i = 0; i + 2 <= word.length; i++) {
      const pair = word.slice(i, i + 2);
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  return counts;
})();

/** How often ordinary text holds a pair of bytes (case-insensitive), roughly. */
function pairCost(pair: string): number {
  return PAIR_COUNTS.get(pair.toLowerCase()) ?? 0;
}

/** Where in `keyword` its key (the 4-byte piece ordinary text holds least) starts. */
export function keyOf(keyword: string): number {
  let best = keyword.length - MIN_KEYWORD_BYTES;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let at = keyword.length - MIN_KEYWORD_BYTES; at >= 0; at--) {
    // The last pair decides where the matcher stops; the others how far it jumps.
    const cost =
      16 * pairCost(keyword.slice(at + 2, at + 4)) +
      2 * pairCost(keyword.slice(at + 1, at + 3)) +
      pairCost(keyword.slice(at, at + 2));
    if (cost < bestCost) {
      best = at;
      bestCost = cost;
    }
  }
  return best;
}

/** 0 for ASCII; 1 and 2 for UTF-16LE at even and odd byte offsets. */
function encodingKey(hits: number[], h: number): number {
  return hits[h + 2] === 0 ? 0 : 1 + ((hits[h + 1] as number) & 1);
}

/** The line holding `at`, without its newline, at most `WINDOW_BYTES` either side of `at`. */
function lineAround(buffer: Buffer, at: number, end: number): [number, number] {
  // Searched in views, so a long line costs at most the window, whatever the hits on it.
  const floor = Math.max(0, at - WINDOW_BYTES);
  const before = buffer.subarray(floor, at).lastIndexOf(10);
  const ceiling = Math.min(end, at + WINDOW_BYTES);
  const after = buffer.subarray(at, ceiling).indexOf(10);
  return [before === -1 ? floor : floor + before + 1, after === -1 ? ceiling : at + after];
}

/** The run of (printable ASCII, 0) byte pairs holding `at`, capped like `lineAround`. */
function utf16RunAround(buffer: Buffer, at: number, end: number): [number, number] {
  const floor = Math.max(0, at - 2 * WINDOW_BYTES);
  let start = at;
  while (start - 2 >= floor && isUtf16Char(buffer, start - 2)) start -= 2;
  const ceiling = Math.min(end, at + 2 * WINDOW_BYTES);
  let stop = at;
  while (stop + 2 <= ceiling && isUtf16Char(buffer, stop)) stop += 2;
  return [start, stop];
}

function isUtf16Char(buffer: Buffer, at: number): boolean {
  const byte = buffer[at] as number;
  return ((byte >= 0x20 && byte < 0x7f) || byte === 9) && buffer[at + 1] === 0;
}

/** Runs one rule's regex over `text`: verified matches of its `secret` group. */
function* execAll(
  rule: Rule,
  text: string,
  pattern = new RegExp(rule.pattern),
): Generator<RuleMatch> {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === 0) pattern.lastIndex++;
    const span = match.indices?.groups?.secret;
    const value = match.groups?.secret;
    if (!span || value === undefined) continue;
    if (rule.verify && !rule.verify(value, match)) continue;
    yield { rule, start: span[0], end: span[1], value };
  }
}

function overlaps(kept: readonly RuleMatch[], start: number, end: number): boolean {
  return kept.some((other) => other.start < end && start < other.end);
}

/**
 * Keeps, in rule order, the matches that overlap no earlier rule's (ASCII and UTF-16 apart),
 * sorted by position. `found` comes grouped by rule, in rule order.
 */
function resolveOverlaps(found: ByteMatch[]): ByteMatch[] {
  if (found.length < 2) return found;
  // Per encoding: kept matches sorted by start, never overlapping each other.
  const kept: [ByteMatch[], ByteMatch[]] = [[], []];
  for (const match of found) {
    const list = kept[match.utf16 ? 1 : 0];
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((list[mid] as ByteMatch).start < match.start) low = mid + 1;
      else high = mid;
    }
    const previous = list[low - 1];
    const next = list[low];
    if (previous && previous.end > match.start) continue;
    if (next && next.start < match.end) continue;
    list.splice(low, 0, match);
  }
  const [ascii, utf16] = kept;
  return utf16.length ? [...ascii, ...utf16].sort((a, b) => a.start - b.start) : ascii;
}

const engines = new WeakMap<readonly Rule[], RuleEngine>();

/** The engine for a rule list, built on first use. */
export function engineFor(rules: readonly Rule[]): RuleEngine {
  let engine = engines.get(rules);
  if (!engine) {
    engine = new RuleEngine(rules);
    engines.set(rules, engine);
  }
  return engine;
}
