// `check` and `inventory` on the same AWS CLI sign-in: the sandbox home `aws sso login` and
// `aws sts get-caller-identity` left behind (kept with --keep-sandbox), as `inventory` reports
// it. The two commands must agree on what is cached: the same files, and every credential
// inventory fingerprints is a canary check found in that file. Not part of `npm test`: run
// with `npm run test:real` (needs `apt-get install awscli`).
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENTS, missing } from './clients.ts';
import { inventoryAfterApprove } from './run-check.ts';

const aws = CLIENTS.find((client) => client.id === 'aws');
if (!aws) throw new Error('test/real/clients.ts has no aws client');

describe.skipIf(missing(aws).length > 0)(
  'AWS CLI: check and inventory agree on what is cached',
  () => {
    it('after aws sso login and sts get-caller-identity: the same files, and every fingerprint inventory shows is a canary check found there', {
      timeout: 120_000,
    }, async () => {
      const view = await inventoryAfterApprove(aws);
      try {
        const found = new Map<string, Set<string>>();
        const hits = view.check.evidence?.runs[0]?.invocations.flatMap((i) => i.hits ?? []) ?? [];
        for (const hit of hits) {
          if (hit.location.type !== 'file' || hit.location.root !== 'HOME') continue;
          const path = hit.location.path as string;
          if (!found.has(path)) found.set(path, new Set());
          found.get(path)?.add(hit.canary);
        }
        const entries = view.inventory.entries.map((entry) => ({
          ...entry,
          path: relative(view.home, entry.path),
        }));
        expect(entries.every((entry) => entry.tool === 'aws')).toBe(true);
        // Three files: the client registration, the SSO token (with refresh token and client
        // secret) and the role credentials.
        expect(entries.map((entry) => entry.path).sort()).toEqual([...found.keys()].sort());
        expect(entries).toHaveLength(3);
        for (const entry of entries) {
          for (const { fingerprint } of entry.credentials)
            expect(found.get(entry.path), `${entry.path} ${fingerprint}`).toContain(fingerprint);
        }
        expect(view.markdown).not.toContain(view.home);
      } finally {
        await view.done();
      }
    });
  },
);
