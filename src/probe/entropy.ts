/**
 * Entropy estimates for codes a server issued, from the codes alone: the alphabet the samples
 * draw from (by character class) and their length. An estimate, and an upper bound: a server
 * that draws 32 characters from a weak generator gets a high estimate. It tells a 6-character
 * user code from an 8-character one, and a 20-digit device code from 32 random bytes.
 */

/** RFC 8628 §6.1's base-20 alphabet: no vowels, no look-alikes. */
const BASE20 = new Set('BCDFGHJKLMNPQRSTVWXZ');

export interface EntropyEstimate {
  /** Estimated bits: length × log2(alphabet). */
  bits: number;
  /** Characters per code (separators left out), the shortest sample's. */
  length: number;
  /** Size of the alphabet the samples fit, and its name. */
  alphabet: number;
  charset: string;
}

/**
 * `samples` of one kind of code. `separators` are left out of the length (a user code's dash
 * is formatting, RFC 8628 §6.1).
 */
export function estimateEntropy(samples: readonly string[], separators = ''): EntropyEstimate {
  const strip = (code: string) => [...code].filter((char) => !separators.includes(char)).join('');
  const codes = samples.map(strip).filter((code) => code.length > 0);
  if (codes.length === 0) return { bits: 0, length: 0, alphabet: 0, charset: 'none' };
  const chars = new Set(codes.join(''));
  const length = Math.min(...codes.map((code) => code.length));
  const { size, name } = alphabetOf(chars);
  return {
    bits: Math.round(length * Math.log2(size) * 10) / 10,
    length,
    alphabet: size,
    charset: name,
  };
}

function alphabetOf(chars: Set<string>): { size: number; name: string } {
  const all = [...chars];
  if (all.every((c) => BASE20.has(c))) return { size: 20, name: 'base-20 (RFC 8628 §6.1)' };
  if (all.every((c) => c >= '0' && c <= '9')) return { size: 10, name: 'digits' };
  if (all.every((c) => /[0-9a-f]/.test(c)) || all.every((c) => /[0-9A-F]/.test(c)))
    return { size: 16, name: 'hex' };
  let size = 0;
  const names: string[] = [];
  if (all.some((c) => c >= '0' && c <= '9')) {
    size += 10;
    names.push('digits');
  }
  if (all.some((c) => c >= 'a' && c <= 'z')) {
    size += 26;
    names.push('lower case');
  }
  if (all.some((c) => c >= 'A' && c <= 'Z')) {
    size += 26;
    names.push('upper case');
  }
  const others = all.filter((c) => !/[0-9a-zA-Z]/.test(c));
  // base64 and base64url draw two symbols; count what was seen, at least those two.
  if (others.length > 0) {
    size += Math.max(2, others.length);
    names.push(`symbols ${others.sort().join('')}`);
  }
  return { size: Math.max(size, 1), name: names.join(', ') };
}
