// The Debian half of the real-client matrix (docs/real-clients.md): gh, az, MSAL Python,
// oidc-agent and the AWS CLI version 2, unmodified, through `devicebound check`, each scenario's verdict pinned to the
// check ids their own source explains (test/real/clients.ts). Not part of `npm test`: run with
// `npm run test:real` (needs `apt-get install gh azure-cli python3-msal oidc-agent-cli curl awscli`;
// a client whose program is missing is skipped, saying which).
import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../src/evidence/names.ts';
import { CLIENTS, missing } from './clients.ts';
import { differences, runCheck } from './run-check.ts';

for (const client of CLIENTS.filter((c) => c.kind === 'debian')) {
  const absent = missing(client);
  const title = absent.length
    ? `${client.title} (skipped: ${absent.join(', ')} not found; ${client.install})`
    : `${client.title} through devicebound check (${client.policy})`;
  describe.skipIf(absent.length > 0)(title, () => {
    it('reports exactly the explained check ids in every scenario', {
      timeout: 240_000,
    }, async () => {
      const outcome = await runCheck(client);
      const context = `devicebound check exited ${outcome.exitCode}\n${outcome.stderr}\n${outcome.text}`;
      // 1: findings (every client here has some); 2 or 3 would be a usage or harness failure.
      expect(outcome.exitCode, context).toBe(1);
      expect(
        outcome.scenarios.map((s) => s.scenario),
        context,
      ).toEqual([...SCENARIOS]);
      const problems = outcome.scenarios.flatMap((s) =>
        differences(s, client.expected[s.scenario]).map(
          (problem) => `${s.scenario}: ${problem} (fired: ${s.checks.join(', ') || 'none'})`,
        ),
      );
      expect(problems, context).toEqual([]);
    });
  });
}
