/**
 * The canary search: every encoding of every canary, in buffers, output streams, files and
 * folder trees. Hits carry fingerprints and previews, never values.
 */
export { NotRegularFileError } from './file-scan.ts';
export { Matcher, type PatternSpec } from './matcher.ts';
export {
  base64Run,
  buildNeedles,
  type CanaryInput,
  MIN_NEEDLE_BYTES,
  Needle,
  type NeedleCanary,
  NeedleSet,
} from './needles.ts';
export {
  type BufferHit,
  type FileSearchOptions,
  type FileSearchResult,
  type FileTarget,
  type ParallelOptions,
  type SearchNote,
  type SearchRoot,
  searchBuffer,
  searchFile,
  searchFiles,
  searchStream,
  searchTree,
  stopWorkers,
  type TreeSearchOptions,
  type TreeSearchResult,
} from './search.ts';
