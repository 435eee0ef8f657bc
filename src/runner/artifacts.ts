import type { CanaryHit, FileRecord } from '../evidence/model.ts';
import type { Canary } from '../lab/index.ts';
import { buildNeedles } from '../search/needles.ts';
import { searchFiles, searchStream } from '../search/search.ts';
import type { CapturedStream } from './capture.ts';

export interface ArtifactSearch {
  hits: CanaryHit[];
  notes: string[];
}

/**
 * Looks for every canary the lab issued so far in the program's output and in the files the
 * run created or changed, in every encoding the search knows. Hits hold fingerprints only.
 */
export async function findCanaries(input: {
  canaries: Canary[];
  stdout: CapturedStream | undefined;
  stderr: CapturedStream | undefined;
  files: (FileRecord & { absolute: string })[];
}): Promise<ArtifactSearch> {
  if (input.canaries.length === 0) return { hits: [], notes: [] };
  const needles = buildNeedles(input.canaries);
  const hits: CanaryHit[] = [];
  for (const [name, stream] of [
    ['stdout', input.stdout],
    ['stderr', input.stderr],
  ] as const) {
    if (!stream) continue;
    for (const hit of searchStream(stream.content(), needles, name)) {
      const at = stream.timeOf(hit.offset);
      hits.push(
        hit.location.type === 'stream' ? { ...hit, location: { ...hit.location, at } } : hit,
      );
    }
  }
  const files = await searchFiles(
    input.files.map(({ root, path, absolute, size }) => ({ root, path, absolute, size })),
    needles,
  );
  hits.push(...files.hits);
  const notes = files.notes.map(
    (note) => `${note.root ?? 'search'}:${note.path || '.'}: ${note.reason}`,
  );
  return { hits, notes };
}
