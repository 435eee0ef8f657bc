// RFC 8628 §3.3, §5.5: show the user code, never the device code or a token.
import type { CanaryHit, HitLocation } from '../evidence/model.ts';
import type { CanaryKind } from '../evidence/names.ts';
import { distinct, kindName, shortList } from './format.ts';
import { invocationsOf } from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

type StreamLocation = Extract<HitLocation, { type: 'stream' }>;
type StreamHit = CanaryHit & { location: StreamLocation };

/** The user code is meant to be shown: it is the prompt (RFC 8628 §3.3). */
const SECRET_IN_OUTPUT: ReadonlySet<CanaryKind> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'device_code',
  'client_secret',
  'cloud_key',
]);

export const check: Check = {
  meta: {
    id: 'secret-in-output',
    severity: 'high',
    description: 'Disallow tokens and device codes in stdout and stderr',
    standards: ['RFC 8628 §3.3', 'RFC 8628 §5.5', 'NHI2:2025', 'CSF PR.DS-01', 'CSF PR.PS-04'],
    fix: 'Print only the verification URI and the user code; keep device codes and tokens out of messages, debug logs and error output (log a redacted form if at all).',
  },

  evaluate({ run }) {
    const invocations = invocationsOf(run);
    const found: { hit: StreamHit; which: string }[] = [];
    for (const invocation of invocations) {
      const which = invocations.length > 1 ? `run ${invocation.index}: ` : '';
      for (const hit of invocation.hits) {
        if (isStreamHit(hit) && SECRET_IN_OUTPUT.has(hit.kind)) found.push({ hit, which });
      }
    }
    if (found.length === 0) return null;
    const places = distinct(
      found.map(({ hit }) => `${kindName(hit.kind)} in ${hit.location.stream}`),
    );
    return {
      message: `printed ${shortList(places)}; show only the user code and verification URI (RFC 8628 §5.5)`,
      evidence: found.map(({ hit, which }) => evidenceOf(hit, which)),
    };
  },
};

function isStreamHit(hit: CanaryHit): hit is StreamHit {
  return hit.location.type === 'stream';
}

function evidenceOf(hit: StreamHit, which: string): EvidenceItem {
  const { stream, line, at } = hit.location;
  const encoded = hit.encoding === 'raw' ? '' : ` (${hit.encoding})`;
  return {
    summary: `${which}${kindName(hit.kind)}${encoded} in ${stream}, line ${line}`,
    ...(at === undefined ? {} : { at }),
    kind: hit.kind,
    fingerprint: hit.canary,
    preview: hit.preview,
    location: hit.location,
  };
}
