// OAuth 2.1 §4.3, NHI2/NHI7: credentials stay in memory, or in the store the policy names.
import type { CanaryHit, HitLocation } from '../evidence/model.ts';
import { displayPath } from '../evidence/paths.ts';
import { storageAllows } from '../policy/storage.ts';
import type { TaskPolicy } from '../policy/types.ts';
import { distinct, encodingPhrase, kindName, list, octalMode, shortList } from './format.ts';
import { invocationsOf } from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

type FileLocation = Extract<HitLocation, { type: 'file' }>;
type FileHit = CanaryHit & { location: FileLocation };

export const check: Check = {
  meta: {
    id: 'secret-at-rest',
    severity: 'critical',
    description:
      'Disallow tokens, device codes and user codes in files outside the stores the policy allows',
    standards: ['NHI2:2025', 'NHI7:2025', 'CSF PR.DS-01', 'OAuth 2.1 §4.3'],
    fix: 'Keep credentials in memory, or in the OS keyring when the task must remember a session; never write them to config, cache, log or temporary files.',
  },

  evaluate({ run, policyFor }) {
    const seen = new Set<string>();
    const found: FileHit[] = [];
    const storages = new Set<TaskPolicy['storage']>();
    for (const invocation of invocationsOf(run)) {
      const { storage } = policyFor(invocation.task);
      for (const hit of invocation.hits) {
        if (!isFileHit(hit)) continue;
        const { root, path } = hit.location;
        if (storageAllows(storage, root, path)) continue;
        // Each run's snapshot sees the files of the runs before it again.
        const key = [root, path, hit.canary, hit.encoding, hit.offset].join('\0');
        if (seen.has(key)) continue;
        seen.add(key);
        storages.add(storage);
        found.push(hit);
      }
    }
    if (found.length === 0) return null;

    const files = distinct(found.map((hit) => displayPath(hit.location.root, hit.location.path)));
    const described = files.map((file) => {
      const hits = found.filter(
        (hit) => displayPath(hit.location.root, hit.location.path) === file,
      );
      const kinds = list(distinct(hits.map((hit) => kindName(hit.kind))));
      const how = list(distinct(hits.map((hit) => encodingPhrase(hit.encoding))));
      return `${kinds} stored ${how} in ${file} (mode ${octalMode(hits[0]?.location.mode ?? 0)})`;
    });
    return {
      message: `${shortList(described)}; ${allowance([...storages])}`,
      evidence: found.map(evidenceOf),
    };
  },
};

function isFileHit(hit: CanaryHit): hit is FileHit {
  return hit.location.type === 'file';
}

function allowance(storages: TaskPolicy['storage'][]): string {
  if (storages.every((storage) => storage === 'none'))
    return 'the policy allows no credential in any file';
  if (storages.every((storage) => storage === 'keyring'))
    return 'the policy allows only the OS keyring';
  return 'no storage glob of the policy allows these files';
}

function evidenceOf(hit: FileHit): EvidenceItem {
  const { root, path, mode } = hit.location;
  return {
    summary: `${kindName(hit.kind)} ${encodingPhrase(hit.encoding)} in ${displayPath(root, path)} (mode ${octalMode(mode)}, ${hit.encoding} at byte ${hit.offset})`,
    kind: hit.kind,
    fingerprint: hit.canary,
    preview: hit.preview,
    location: hit.location,
  };
}
