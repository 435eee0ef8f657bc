/**
 * What a policy's `storage` globs mean for a file found after a run: `~/…` is the sandbox HOME
 * (its XDG folders included), anything else is relative to the working directory (DESIGN.md,
 * policy file).
 */
import type { RootName } from '../evidence/model.ts';
import type { TaskPolicy } from './types.ts';

/**
 * The XDG folders as HOME-relative paths, where the XDG Base Directory spec puts them by
 * default, so that `~/.config/mycli/*` allows a file the program wrote under
 * `$XDG_CONFIG_HOME/mycli/`. `TMPDIR` has no such place: no glob allows a file there.
 */
const HOME_RELATIVE: Partial<Record<RootName, string>> = {
  HOME: '',
  XDG_CONFIG_HOME: '.config/',
  XDG_CACHE_HOME: '.cache/',
  XDG_DATA_HOME: '.local/share/',
  XDG_STATE_HOME: '.local/state/',
};

/** True when the task's storage policy allows a credential in this file. */
export function storageAllows(
  storage: TaskPolicy['storage'],
  root: RootName,
  path: string,
): boolean {
  if (!Array.isArray(storage)) return false;
  const inHome = HOME_RELATIVE[root];
  return storage.some((glob) => {
    if (glob.startsWith('~/'))
      return inHome !== undefined && matchesGlob(inHome + path, glob.slice(2));
    return root === 'cwd' && matchesGlob(path, glob.replace(/^(\.\/)+/, ''));
  });
}

/**
 * A small glob matcher over `/`-separated paths: `*` is any run of characters within one
 * segment, `?` one character within a segment, and a `**` segment any number of segments
 * (none included). A leading dot is not special: credential stores in HOME are dot folders,
 * and a policy that says `~/**` means all of HOME. Everything else matches itself.
 */
export function matchesGlob(path: string, glob: string): boolean {
  return matchSegments(path.split('/'), glob.split('/').map(segmentMatcher));
}

type SegmentMatcher = RegExp | '**';

function segmentMatcher(segment: string): SegmentMatcher {
  if (segment === '**') return '**';
  const source = [...segment]
    .map((char) => {
      if (char === '*') return '[^/]*';
      if (char === '?') return '[^/]';
      return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, 'u');
}

function matchSegments(path: readonly string[], glob: readonly SegmentMatcher[]): boolean {
  const [first, ...rest] = glob;
  if (first === undefined) return path.length === 0;
  if (first === '**') {
    for (let skip = 0; skip <= path.length; skip++) {
      if (matchSegments(path.slice(skip), rest)) return true;
    }
    return false;
  }
  const [segment, ...remaining] = path;
  return segment !== undefined && first.test(segment) && matchSegments(remaining, rest);
}
