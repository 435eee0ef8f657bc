import { describe, expect, it } from 'vitest';
import { type OcsfContext, type OcsfFinding, ocsfEvent, ocsfPieces } from './ocsf.ts';
import { joinPieces } from './render.ts';

/** The events as one JSON Lines text. */
const ocsfLines = (findings: Iterable<OcsfFinding>, context: OcsfContext) =>
  joinPieces(ocsfPieces(findings, context));

const context = { command: 'inventory', version: '9.9.9', hostname: 'host-1' };
const finding = (i: number, extra: Partial<OcsfFinding> = {}): OcsfFinding => ({
  uid: `uid-${i}`,
  rule: i % 2 ? 'inventory/gh' : 'inventory/aws',
  ruleDescription: 'Cached sign-in state',
  title: `entry "${i}"\\n`,
  desc: 'facts, with "quotes" and \u2028 a separator',
  severity: (['info', 'low', 'medium', 'high', 'critical'] as const)[i % 5] ?? 'low',
  types: ['cached credential'],
  resources: [{ type: 'file', name: `/home/u/${i}.json`, data: { mode: '0600' } }],
  fleetKey: `inventory:inventory/gh:gh:${i}.json`,
  unmapped: { credentials: [{ kind: 'access', fingerprint: 'sha256:00' }] },
  time: 1_700_000_000_000 + i,
  ...extra,
});

describe('ocsfLines', () => {
  it('writes the events ocsfEvent gives, one JSON object per line', () => {
    const findings = [finding(0), finding(1, { fix: 'do not' }), finding(2), finding(3)];
    const lines = ocsfLines(findings, context).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual(
      findings.map((f) => ocsfEvent(f, context)),
    );
  });

  it('keeps the order and every line across the pieces it joins, from any iterable', () => {
    // More findings than one piece holds (256), given one at a time as inventory gives them.
    function* many() {
      for (let i = 0; i < 600; i++) yield finding(i);
    }
    const text = ocsfLines(many(), context);
    expect(text.endsWith('}\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(600);
    lines.forEach((line, i) => {
      expect(line).toBe(JSON.stringify(ocsfEvent(finding(i), context)));
    });
  });

  it('writes nothing for no findings', () => {
    expect(ocsfLines([], context)).toBe('');
  });
});

describe('ocsfPieces', () => {
  it('gives whole lines, some dozens to a piece, each piece ending in a newline', () => {
    const pieces = [
      ...ocsfPieces(
        Array.from({ length: 600 }, (_, i) => finding(i)),
        context,
      ),
    ];
    expect(pieces.map((piece) => piece.split('\n').length - 1)).toEqual([
      ...Array<number>(9).fill(64),
      24,
    ]);
    for (const piece of pieces) expect(piece.endsWith('}\n')).toBe(true);
    expect([...ocsfPieces([], context)]).toEqual([]);
  });

  it('makes each event only when its piece is asked for', () => {
    let made = 0;
    function* counted() {
      for (let i = 0; i < 600; i++) {
        made++;
        yield finding(i);
      }
    }
    const pieces = ocsfPieces(counted(), context);
    expect(made).toBe(0);
    pieces.next();
    expect(made).toBe(64);
  });

  it('leaves out `remediation` when there is no fix, and writes it when there is', () => {
    const [without, withFix] = ocsfLines([finding(0), finding(1, { fix: 'rotate it' })], context)
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(Object.keys(without)).not.toContain('remediation');
    expect(withFix.remediation).toEqual({ desc: 'rotate it' });
    expect(Object.keys(withFix).slice(-2)).toEqual(['remediation', 'unmapped']);
  });

  it('gives each event its own rule description, also when one rule is described two ways', () => {
    const [a, b, c] = ocsfLines(
      [
        finding(1, { ruleDescription: 'first' }),
        finding(3, { ruleDescription: 'second' }),
        finding(5, { ruleDescription: 'first' }),
      ],
      context,
    )
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).finding_info.analytic.desc);
    expect([a, b, c]).toEqual(['first', 'second', 'first']);
  });
});
