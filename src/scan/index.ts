/**
 * `devicebound scan`: finds device-flow secrets (by rule, or the exact values of a canary list)
 * in files, folders and the archives inside them, and reports them redacted.
 */
import { lstat } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import type { NeedleSet } from '../search/needles.ts';
import { type ContentOptions, type Detector, RULES_DETECTOR } from './content.ts';
import { hostPlaces, type Place, type PlaceStatus } from './host-defaults.ts';
import { buildScanReport, type ScanReport } from './report/model.ts';
import type { ScanLimits } from './types.ts';
import { missingPaths, Walker } from './walk.ts';

export interface ScanOptions {
  paths: readonly string[];
  /** Also scan the well-known places of this host (histories, logs, crash dumps). */
  hostDefaults?: boolean | { places: Place[] };
  exclude?: readonly string[];
  limits?: Partial<ScanLimits>;
  content?: Partial<ContentOptions>;
  /** Exact-value mode: only these canaries are looked for. */
  canaries?: NeedleSet;
  baseline?: ReadonlySet<Fingerprint>;
  /** Files scanned at once: this thread and worker threads (default: the CPUs; 1: no workers). */
  jobs?: number;
}

export async function runScan(options: ScanOptions): Promise<ScanReport> {
  if (!options.paths.length && !options.hostDefaults)
    throw new UsageError('give at least one PATH to scan, or --host-defaults', { field: 'PATH' });
  const missing = await missingPaths(options.paths);
  if (missing.length) {
    const [first] = missing;
    throw new UsageError(
      missing.length === 1
        ? `cannot scan: ${first?.[1]}`
        : `cannot scan: ${first?.[1]} (and ${missing.length - 1} more: ${missing
            .slice(1)
            .map(([p]) => p)
            .join(', ')})`,
      { file: first?.[0] ?? '' },
    );
  }
  const detector: Detector = options.canaries
    ? { type: 'canaries', needles: options.canaries }
    : RULES_DETECTOR;
  const walker = new Walker({
    detector,
    ...(options.exclude && { exclude: options.exclude }),
    ...(options.limits && { limits: options.limits }),
    ...(options.content && { content: options.content }),
    ...(options.jobs !== undefined && { jobs: options.jobs }),
  });
  const places: PlaceStatus[] = [];
  let result: Awaited<ReturnType<Walker['finish']>>;
  try {
    if (options.hostDefaults) {
      const list =
        typeof options.hostDefaults === 'object' ? options.hostDefaults.places : hostPlaces();
      for (const place of list) {
        const exists = await lstat(place.path).then(
          () => true,
          () => false,
        );
        places.push({ ...place, status: exists ? 'scanned' : 'absent' });
        if (exists) await walker.scanRoot(place.path);
      }
    }
    for (const path of options.paths) await walker.scanRoot(path);
    result = await walker.finish();
  } catch (error) {
    await walker.abort();
    throw error;
  }
  const baseline = options.baseline;
  const findings = baseline
    ? result.findings.filter((f) => !baseline.has(f.fingerprint))
    : result.findings;
  return buildScanReport({
    mode: options.canaries ? 'canaries' : 'rules',
    findings,
    skipped: result.skipped,
    places,
    suppressed: result.findings.length - findings.length,
    filesScanned: result.filesScanned,
    bytesScanned: result.bytesScanned,
  });
}
