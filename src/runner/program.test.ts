import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signalGroup } from './processes.ts';
import { runProgram } from './program.ts';

const HANG = fileURLToPath(new URL('../../test/fixtures/clis/hang.mjs', import.meta.url));

describe('runProgram', () => {
  it('a run started after Ctrl-C is killed at once, not left to its timeout', async (context) => {
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    let pgid: number | undefined;
    // Were the fix undone, the program would outlive a failed test: it is killed in any case.
    context.onTestFinished(() => {
      if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
    });
    // hang.mjs ignores SIGTERM, SIGINT and SIGHUP: only the abort's SIGKILL ends it.
    const result = await runProgram({
      command: [process.execPath, HANG],
      cwd: process.cwd(),
      env: { ...process.env, DEVICEBOUND_ISSUER: 'http://127.0.0.1:9' },
      stdin: undefined,
      timeoutMs: 60_000,
      clock: () => Date.now() - started,
      signal: controller.signal,
      onSpawn: (spawned) => {
        pgid = spawned.pgid;
      },
    });
    expect(result.signal).toBe('SIGKILL');
    expect(result.timedOut).toBe(false);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
