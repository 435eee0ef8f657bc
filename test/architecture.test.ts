// The folder layout is the architecture (docs/architecture.md): sources → evidence → checks →
// findings → reports. Imports point down the layers and never back up, and no two files import
// each other, directly or around a loop. Read from the source text, so a new import that breaks
// the rule fails here before anyone has to notice it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Utilities at the root of src/ that anything may use; they import only each other. */
const BASE = [
  'errors.ts',
  'version.ts',
  'jwt.ts',
  'visible.ts',
  'content-coding.ts',
  'trust.ts',
  'local-fs.ts',
];

/** What each part of src/ may import, besides itself (docs/architecture.md, the table). */
const ALLOWED: Record<string, readonly string[]> = {
  evidence: [],
  findings: ['evidence'],
  tls: [],
  search: ['evidence'],
  lab: ['evidence', 'search', 'tls'],
  capture: ['evidence'],
  policy: ['evidence', 'findings', 'tls'],
  checks: ['evidence', 'findings', 'policy'],
  report: ['checks', 'evidence', 'findings', 'policy'],
  runner: ['evidence', 'lab', 'policy', 'search', 'tls'],
  scan: ['evidence', 'findings', 'report', 'search'],
  inventory: ['evidence', 'findings', 'report'],
  probe: ['client', 'evidence', 'findings', 'report'],
  pipeline: ['capture', 'checks', 'evidence', 'findings', 'policy', 'report', 'runner'],
  cli: [
    'capture',
    'checks',
    'evidence',
    'findings',
    'inventory',
    'lab',
    'pipeline',
    'policy',
    'probe',
    'report',
    'runner',
    'scan',
    'search',
    'tls',
  ],
  'index.ts': ['evidence', 'lab', 'findings'],
  // Published as devicebound/client: it stands alone.
  client: [],
};

interface SourceFile {
  path: string;
  part: string;
  imports: string[];
}

function sourceFiles(dir = SRC): SourceFile[] {
  const files: SourceFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      const text = readFileSync(path, 'utf8');
      const imports = [
        ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s+['"](\.[^'"]+)['"]/g),
        ...text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g),
      ].map((match) => normalize(join(dirname(path), match[1] as string)));
      files.push({ path, part: partOf(path), imports });
    }
  }
  return files;
}

function partOf(path: string): string {
  return relative(SRC, path).split('/')[0] as string;
}

const files = sourceFiles();

describe('architecture', () => {
  it('every part of src/ is in the layer table', () => {
    const parts = new Set(files.map((file) => file.part));
    const unknown = [...parts].filter((part) => !(part in ALLOWED) && !BASE.includes(part));
    expect(unknown, 'add the new folder to ALLOWED and docs/architecture.md').toEqual([]);
  });

  it('no import points back up a layer', () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const target of file.imports) {
        const part = partOf(target);
        if (part === file.part || BASE.includes(part)) continue;
        if (BASE.includes(file.part) || !(ALLOWED[file.part] ?? []).includes(part))
          wrong.push(`${relative(SRC, file.path)} imports ${relative(SRC, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the layer table itself has no loop', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (part: string, trail: string[]): void => {
      if (done.has(part)) return;
      expect(visiting.has(part), `loop: ${[...trail, part].join(' → ')}`).toBe(false);
      visiting.add(part);
      for (const next of ALLOWED[part] ?? []) visit(next, [...trail, part]);
      visiting.delete(part);
      done.add(part);
    };
    for (const part of Object.keys(ALLOWED)) visit(part, []);
  });

  it('no file imports itself around a loop', () => {
    const byPath = new Map(files.map((file) => [file.path, file]));
    const state = new Map<string, 'visiting' | 'done'>();
    const loops: string[] = [];
    const visit = (path: string, trail: string[]): void => {
      if (state.get(path) === 'done') return;
      if (state.get(path) === 'visiting') {
        const start = trail.indexOf(path);
        loops.push([...trail.slice(start), path].map((p) => relative(SRC, p)).join(' → '));
        return;
      }
      state.set(path, 'visiting');
      for (const next of byPath.get(path)?.imports ?? []) visit(next, [...trail, path]);
      state.set(path, 'done');
    };
    for (const file of files) visit(file.path, []);
    expect(loops).toEqual([]);
  });

  it('the check finds a wrong import (the rule can fail)', () => {
    const evidenceFile = files.find((file) => file.part === 'evidence');
    expect(evidenceFile).toBeDefined();
    const planted = { ...(evidenceFile as SourceFile), imports: [join(SRC, 'lab/index.ts')] };
    const allowed = ALLOWED[planted.part] ?? [];
    expect(planted.imports.some((target) => !allowed.includes(partOf(target)))).toBe(true);
  });
});
