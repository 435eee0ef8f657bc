// The corpus of the scan-throughput benchmark: log-like text written in repeated blocks from a
// seeded PRNG, with every rule's true-positive samples planted at known files and lines, every
// rule's false-positive samples planted as decoys, and a zip and a tar.gz of planted files.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../src/scan/rules/index.ts';

/** A line planted in the corpus. `member` names it inside an archive (`''` for a plain file). */
export interface Plant {
  /** Relative to the corpus folder, `/` separators. */
  file: string;
  member: string;
  /** 1-based. */
  line: number;
  rule: string;
  /** `positive`: a rule's true-positive sample; `decoy`: a false-positive sample. */
  kind: 'positive' | 'decoy';
}

export interface Corpus {
  dir: string;
  /** Plain files, relative to `dir`, in the order written. */
  plainFiles: string[];
  /** Sizes of the plain files, same order. */
  plainBytes: number[];
  archives: string[];
  /** Bytes on disk: plain files and archives. */
  bytes: number;
  /** Bytes inside the archives, expanded. */
  archiveExpandedBytes: number;
  plants: Plant[];
}

const MIB = 1024 * 1024;
const BLOCKS = 8;
const BLOCK_BYTES = 256 * 1024;
/** Each positive sample is planted this many times in plain files, and once in each archive. */
const POSITIVE_COPIES = 2;
const DECOY_COPIES = 2;
const ARCHIVE_MEMBERS = 2;
const ARCHIVE_MEMBER_BYTES = 4 * MIB;

/** mulberry32: small, fast and seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'request',
  'completed',
  'session',
  'cache',
  'miss',
  'hit',
  'upstream',
  'timeout',
  'retrying',
  'connection',
  'reset',
  'worker',
  'queue',
  'job',
  'scheduled',
  'flushed',
  'device',
  'authorization',
  'pending',
  'polling',
  'slow_down',
  'granted',
  'denied',
  'expired',
  'client',
  'scope',
  'openid',
  'profile',
  'token',
  'endpoint',
];
const PATHS = ['/api/v1/items', '/device', '/oauth/token', '/healthz', '/v2/orders', '/login'];
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const HEX = '0123456789abcdef';

/** One log-like line (without its newline). Never a credential: ids are short hex. */
function logLine(random: () => number, index: number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const hex = (n: number) => {
    let out = '';
    for (let i = 0; i < n; i++) out += HEX[Math.floor(random() * 16)];
    return out;
  };
  const ts = `2026-11-${String(1 + (index % 28)).padStart(2, '0')}T${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}.${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`;
  const words = Array.from({ length: 3 + Math.floor(random() * 6) }, () => pick(WORDS)).join(' ');
  switch (Math.floor(random() * 6)) {
    case 0:
      return `${ts} ${pick(LEVELS)} [worker-${Math.floor(random() * 8)}] GET ${pick(PATHS)}/${Math.floor(random() * 100000)} ${pick([200, 200, 204, 301, 404, 500])} ${Math.floor(random() * 900)}ms ip=10.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)} req=${hex(16)}`;
    case 1:
      return `{"ts":"${ts}","level":"${pick(LEVELS).toLowerCase()}","msg":"${words}","status":${pick([200, 400, 401, 428])},"durationMs":${Math.floor(random() * 500)},"trace":"${hex(32)}"}`;
    case 2:
      return `${ts} ${pick(LEVELS)} ${words}; exit code ${Math.floor(random() * 3)} after ${Math.floor(random() * 60)}s (attempt ${1 + Math.floor(random() * 5)})`;
    case 3:
      return `${ts} ${pick(LEVELS)} polling ${pick(PATHS)} interval=5 error=authorization_pending client_id=cli-${hex(8)}`;
    case 4:
      return `    at ${pick(WORDS)}.${pick(WORDS)} (/srv/app/dist/${pick(WORDS)}.js:${Math.floor(random() * 900)}:${Math.floor(random() * 80)})`;
    default:
      return `${ts} ${pick(LEVELS)} ${words} user=u${Math.floor(random() * 10000)} elapsed=${(random() * 10).toFixed(3)}`;
  }
}

/** Whole lines, about `bytes` long; returns the text and its line count. */
function block(random: () => number, bytes: number): { data: Buffer; lines: number } {
  const lines: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = logLine(random, lines.length);
    lines.push(line);
    size += line.length + 1;
  }
  return { data: Buffer.from(`${lines.join('\n')}\n`, 'latin1'), lines: lines.length };
}

interface Sample {
  text: string;
  rule: string;
  kind: Plant['kind'];
}

function samples(): Sample[] {
  const list: Sample[] = [];
  for (const rule of RULES) {
    for (const s of rule.samples.positive)
      list.push({ text: s.text, rule: rule.id, kind: 'positive' });
    for (const s of rule.samples.negative)
      list.push({ text: s.text, rule: rule.id, kind: 'decoy' });
  }
  for (const s of list)
    if (s.text.includes('\n')) throw new Error(`a sample of ${s.rule} holds a newline`);
  return list;
}

/**
 * Writes one file of about `bytes`: blocks picked by the PRNG, with the given samples inserted
 * between blocks at random positions. Returns the plants (line numbers) and the bytes written.
 */
function writeFile(
  path: string,
  bytes: number,
  blocks: { data: Buffer; lines: number }[],
  insert: Sample[],
  random: () => number,
  file: string,
  member: string,
): { plants: Plant[]; bytes: number } {
  const slots = Math.max(1, Math.ceil(bytes / BLOCK_BYTES));
  // Which slot (before block i) each sample goes to.
  const at = new Map<number, Sample[]>();
  for (const sample of insert) {
    const slot = Math.floor(random() * slots);
    at.set(slot, [...(at.get(slot) ?? []), sample]);
  }
  const fd = openSync(path, 'w');
  const plants: Plant[] = [];
  let line = 1;
  let written = 0;
  try {
    for (let i = 0; i < slots; i++) {
      for (const sample of at.get(i) ?? []) {
        const data = Buffer.from(`${sample.text}\n`, 'utf8');
        writeSync(fd, data);
        written += data.length;
        plants.push({ file, member, line, rule: sample.rule, kind: sample.kind });
        line++;
      }
      const chosen = blocks[Math.floor(random() * blocks.length)] as (typeof blocks)[number];
      writeSync(fd, chosen.data);
      written += chosen.data.length;
      line += chosen.lines;
    }
  } finally {
    closeSync(fd);
  }
  return { plants, bytes: written };
}

/**
 * Writes the corpus under `base/corpus` (archive sources under `base/archive-src`), about
 * `totalBytes` in all, in `files` plain files (at least 4).
 */
export function writeCorpus(base: string, totalBytes: number, seed = 8628): Corpus {
  const random = prng(seed);
  const blocks = Array.from({ length: BLOCKS }, () => block(random, BLOCK_BYTES));
  const all = samples();
  const dir = join(base, 'corpus');
  const src = join(base, 'archive-src');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(src, 'logs'), { recursive: true });
  const plants: Plant[] = [];

  // Archives first: their members hold every positive sample once, and the decoys once.
  const archives = ['bundle.zip', 'bundle.tar.gz'];
  const members = Array.from({ length: ARCHIVE_MEMBERS }, (_, i) => `logs/archived-${i + 1}.log`);
  let archiveExpandedBytes = 0;
  for (const archive of archives) {
    const spread: Sample[][] = members.map(() => []);
    all.forEach((sample, i) => {
      spread[i % members.length]?.push(sample);
    });
    members.forEach((member, i) => {
      const written = writeFile(
        join(src, member),
        ARCHIVE_MEMBER_BYTES,
        blocks,
        spread[i] ?? [],
        random,
        archive,
        member,
      );
      plants.push(...written.plants);
      archiveExpandedBytes += written.bytes;
    });
    const out = join(dir, archive);
    if (archive.endsWith('.zip')) execFileSync('zip', ['-q', '-r', out, ...members], { cwd: src });
    else execFileSync('tar', ['czf', out, ...members], { cwd: src });
  }
  rmSync(src, { recursive: true, force: true });
  const archiveBytes = archives.reduce((sum, a) => sum + statSync(join(dir, a)).size, 0);

  // Plain files: 16 MiB each (fewer, smaller ones for a small corpus), at least 4.
  const plainTotal = Math.max(4 * MIB, totalBytes - archiveBytes);
  const count = Math.max(4, Math.round(plainTotal / (16 * MIB)));
  const each = Math.ceil(plainTotal / count);
  const spread: Sample[][] = Array.from({ length: count }, () => []);
  for (const sample of all) {
    const copies = sample.kind === 'positive' ? POSITIVE_COPIES : DECOY_COPIES;
    for (let c = 0; c < copies; c++) spread[Math.floor(random() * count)]?.push(sample);
  }
  const plainFiles: string[] = [];
  const plainBytes: number[] = [];
  for (let i = 0; i < count; i++) {
    const file = `logs/app-${String(i + 1).padStart(3, '0')}.log`;
    const written = writeFile(join(dir, file), each, blocks, spread[i] ?? [], random, file, '');
    plants.push(...written.plants);
    plainFiles.push(file);
    plainBytes.push(written.bytes);
  }
  const bytes = archiveBytes + plainBytes.reduce((a, b) => a + b, 0);
  return { dir, plainFiles, plainBytes, archives, bytes, archiveExpandedBytes, plants };
}
