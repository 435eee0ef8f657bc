// The SARIF report: valid against the official SARIF 2.1.0 schema, and shaped the way GitHub
// code scanning needs it (every result located, rules complete, stable fingerprints).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  GOLDEN_ROOT,
  goldenEvidence,
  goldenReport,
  reportFrom,
} from '../../test/fixtures/report/report.ts';
import { CHECK_IDS, checks } from '../checks/index.ts';
import type { Finding } from '../checks/types.ts';
import type { Evidence } from '../evidence/model.ts';
import { buildReport, type Report } from './model.ts';
import { renderSarif } from './sarif.ts';

interface Location {
  id?: number;
  physicalLocation: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number };
  };
  message?: { text: string };
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Location[];
  relatedLocations?: Location[];
  partialFingerprints: Record<string, string>;
}
interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity'?: string };
}
interface Log {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: Rule[] } };
    invocations: {
      executionSuccessful: boolean;
      exitCode: number;
      toolExecutionNotifications?: { level: string; message: { text: string } }[];
    }[];
    automationDetails: { id: string };
    originalUriBaseIds: Record<string, unknown>;
    results: Result[];
  }[];
}

const schema = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../test/fixtures/report/sarif-schema-2.1.0.json', import.meta.url)),
    'utf8',
  ),
) as object;
// The official schema's `language` pattern is not valid with the `u` flag: compile without it.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
formats.default(ajv);
const validate = ajv.compile(schema);

function sarif(report: Report, root = GOLDEN_ROOT): Log {
  const text = renderSarif(report, { root });
  const log = JSON.parse(text) as Log;
  const valid = validate(log);
  expect(validate.errors ?? [], 'valid against the SARIF 2.1.0 schema').toEqual([]);
  expect(valid).toBe(true);
  return log;
}

const run = (log: Log) => log.runs[0] as Log['runs'][number];

/** GitHub refuses the whole file when a result has no physical location with a line. */
function expectGitHubLocations(log: Log): void {
  for (const result of run(log).results) {
    expect(result.locations).toHaveLength(1);
    const [location] = result.locations;
    expect(location?.physicalLocation.artifactLocation.uri).toMatch(/^[^/]/);
    expect(location?.physicalLocation.region?.startLine).toBeGreaterThanOrEqual(1);
    expect(result.partialFingerprints.primaryLocationLineHash).toBeTruthy();
  }
}

/** Evidence with its tasks given on the command line (no policy file). */
function withoutPolicyFile(evidence: Evidence, run?: string[]): Evidence {
  evidence.policy.source = null;
  for (const task of evidence.policy.tasks) {
    task.source = undefined;
    if (run) task.run = run;
  }
  return evidence;
}

describe('the SARIF log', () => {
  it('is valid SARIF 2.1.0 with GitHub locations', () => {
    const log = sarif(goldenReport());
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expectGitHubLocations(log);
  });

  it('describes every check as a rule, in CHECK_IDS order, whatever fired', () => {
    const rules = run(sarif(goldenReport())).tool.driver.rules;
    expect(rules.map((rule) => rule.id)).toEqual([...CHECK_IDS]);
    for (const rule of rules) {
      const meta = checks[rule.id as Finding['check']].meta;
      expect(rule.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(rule.shortDescription.text).toBe(meta.description);
      expect(rule.fullDescription.text).toContain(meta.description);
      expect(rule.help.text).toContain(meta.fix);
      expect(rule.help.markdown).toContain(meta.fix);
      for (const standard of meta.standards) expect(rule.help.text).toContain(standard);
      expect(rule.properties.tags).toEqual(['security', ...meta.standards]);
      expect(rule.helpUri).toBeUndefined();
    }
  });

  it('maps severities to GitHub levels and security-severity scores', () => {
    const rules = run(sarif(goldenReport())).tool.driver.rules;
    const byId = Object.fromEntries(rules.map((rule) => [rule.id, rule]));
    // secret-at-rest is critical, excess-scope high, poll-interval medium, error-backoff low.
    expect(byId['secret-at-rest']?.defaultConfiguration.level).toBe('error');
    expect(byId['secret-at-rest']?.properties['security-severity']).toBe('9.5');
    expect(byId['excess-scope']?.defaultConfiguration.level).toBe('error');
    expect(byId['excess-scope']?.properties['security-severity']).toBe('8.0');
    expect(byId['poll-interval']?.defaultConfiguration.level).toBe('warning');
    expect(byId['poll-interval']?.properties['security-severity']).toBe('5.5');
    expect(byId['error-backoff']?.defaultConfiguration.level).toBe('note');
    expect(byId['error-backoff']?.properties['security-severity']).toBe('3.0');
  });

  it('links RFC sections in the help, and nothing that is not a real address', () => {
    const rules = run(sarif(goldenReport())).tool.driver.rules;
    const links = rules.flatMap((rule) => [...rule.help.markdown.matchAll(/\]\(([^)]+)\)/g)]);
    expect(links.length).toBeGreaterThan(0);
    for (const [, href] of links)
      expect(href).toMatch(
        /^https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+\.html#section-\d+(\.\d+)*$/,
      );
  });

  it('has one result per finding, pointing at its rule', () => {
    const report = goldenReport();
    const log = sarif(report);
    const { results, tool } = run(log);
    expect(results).toHaveLength(report.findings.length);
    for (const [i, result] of results.entries()) {
      const finding = report.findings[i] as Finding;
      expect(result.ruleId).toBe(finding.check);
      expect(tool.driver.rules[result.ruleIndex]?.id).toBe(finding.check);
      expect(result.level).toBe(
        { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' }[
          finding.severity
        ],
      );
      expect(result.message.text).toBe(`${finding.task} (${finding.scenario}): ${finding.message}`);
    }
  });

  it('records the invocation: exit code 1 for failing findings, a category per policy file', () => {
    const { invocations, automationDetails } = run(sarif(goldenReport()));
    expect(invocations).toEqual([
      expect.objectContaining({ executionSuccessful: true, exitCode: 1 }),
    ]);
    // GitHub's category is the id up to its last slash; the rest names the run.
    expect(automationDetails.id).toBe(
      `devicebound/test/fixtures/report/devicebound.yaml/${goldenReport().createdAt}`,
    );
    const flags = run(sarif(reportFrom(withoutPolicyFile(goldenEvidence()))));
    expect(flags.automationDetails.id).toBe(`devicebound/login,sync/${goldenReport().createdAt}`);
  });

  it('exit code 0 when every finding is below fail_on, 3 when nothing reached the lab', () => {
    const report = goldenReport();
    const lenient = buildReport(report.evidence, report.findings, {
      source: undefined,
      failOn: 'critical',
    });
    // secret-at-rest is critical: keep only what is below critical.
    const below = buildReport(
      report.evidence,
      report.findings.filter((f) => f.severity !== 'critical'),
      { source: undefined, failOn: 'critical' },
    );
    expect(run(sarif(lenient)).invocations[0]?.exitCode).toBe(1);
    expect(run(sarif(below)).invocations[0]).toMatchObject({
      exitCode: 0,
      executionSuccessful: true,
    });

    const silent = goldenEvidence();
    for (const scenario of silent.runs) scenario.events = [];
    const inconclusive = sarif(buildReport(silent, [], { source: undefined, failOn: 'low' }));
    expect(run(inconclusive).invocations[0]).toMatchObject({
      exitCode: 3,
      executionSuccessful: false,
    });
    expect(run(inconclusive).invocations[0]?.toolExecutionNotifications?.[0]).toEqual({
      level: 'warning',
      message: {
        text: 'login (approve): no request reached the lab; does the program read DEVICEBOUND_ISSUER (or --env MYCLI_URL={issuer})?',
      },
    });
    expect(run(inconclusive).results).toEqual([]);
  });
});

describe('locations', () => {
  it('puts each result at the line of its task in the policy file', () => {
    const { results } = run(sarif(goldenReport()));
    const where = (task: string) =>
      results
        .filter((result) => result.message.text.startsWith(`${task} (`))
        .map((result) => result.locations[0]?.physicalLocation);
    // devicebound.yaml: `login:` is on line 8, `sync:` on line 10.
    for (const location of where('login')) {
      expect(location).toEqual({
        artifactLocation: { uri: 'test/fixtures/report/devicebound.yaml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 8 },
      });
    }
    expect(where('sync')[0]?.region?.startLine).toBe(10);
  });

  it('names the files a credential was found in: sandbox files against their sandbox folder, the working directory against the repository', () => {
    const log = sarif(goldenReport());
    const atRest = run(log).results.find(
      (r) => r.ruleId === 'secret-at-rest' && r.message.text.startsWith('sync (approve)'),
    );
    expect(atRest?.relatedLocations?.map((l) => [l.id, l.physicalLocation])).toEqual([
      [1, { artifactLocation: { uri: '.cache/synccli/refresh.json', uriBaseId: 'HOME' } }],
      [
        2,
        {
          artifactLocation: {
            uri: 'test/fixtures/report/.synccli/debug.log',
            uriBaseId: '%SRCROOT%',
          },
        },
      ],
    ]);
    expect(atRest?.relatedLocations?.[0]?.message?.text).toMatch(
      /^refresh token in plain text in ~\/\.cache\/synccli\/refresh\.json/,
    );
    // Every base a location uses is described; sandbox folders say they are not the repository.
    expect(Object.keys(run(log).originalUriBaseIds).sort()).toEqual(['%SRCROOT%', 'HOME']);
    expect(JSON.stringify(run(log).originalUriBaseIds.HOME)).toMatch(/not part of the repository/);
  });

  it('gives results without file evidence no related locations', () => {
    const { results } = run(sarif(goldenReport()));
    for (const result of results.filter((r) => r.ruleId !== 'secret-at-rest'))
      expect(result.relatedLocations).toBeUndefined();
  });

  it('without a policy file: the repository file the credential was found in', () => {
    const log = sarif(reportFrom(withoutPolicyFile(goldenEvidence())));
    expectGitHubLocations(log);
    const atRest = run(log).results.find(
      (r) => r.ruleId === 'secret-at-rest' && r.message.text.startsWith('sync (approve)'),
    );
    expect(atRest?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/report/.synccli/debug.log', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1 },
    });
  });

  it('without a policy file: the program under test when its command names a repository file', () => {
    const evidence = withoutPolicyFile(goldenEvidence(), ['node', '../clis/good.mjs', '--flag']);
    const log = sarif(reportFrom(evidence));
    expectGitHubLocations(log);
    const scope = run(log).results.find((r) => r.ruleId === 'excess-scope');
    expect(scope?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/clis/good.mjs', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1 },
    });
    expect(scope?.locations[0]?.message?.text).toMatch(/program under test/);
  });

  it('without a policy file or repository file: devicebound.yaml line 1, saying why', () => {
    // An installed program: nothing on its command line is a file of the repository.
    const evidence = withoutPolicyFile(goldenEvidence(), ['my-cli', 'repos', 'list']);
    for (const scenario of evidence.runs)
      for (const invocation of scenario.invocations)
        invocation.hits = invocation.hits.filter((hit) => hit.location.type === 'stream');
    const log = sarif(reportFrom(evidence));
    expectGitHubLocations(log);
    for (const result of run(log).results) {
      expect(result.locations[0]?.physicalLocation).toEqual({
        artifactLocation: { uri: 'devicebound.yaml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 1 },
      });
      expect(result.locations[0]?.message?.text).toMatch(/^no policy file: task '\w+' was given/);
    }
  });

  it('a policy file or working directory outside the repository root is not a repository file', () => {
    const evidence = goldenEvidence();
    // `--policy /repo/…` (absolute); relative paths are taken as relative to the root.
    for (const task of evidence.policy.tasks)
      if (task.source) task.source.file = `${GOLDEN_ROOT}/${task.source.file}`;
    const log = sarif(reportFrom(evidence), '/somewhere/else');
    expectGitHubLocations(log);
    const atRest = run(log).results.find(
      (r) => r.ruleId === 'secret-at-rest' && r.message.text.startsWith('sync (approve)'),
    );
    expect(atRest?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('devicebound.yaml');
    expect(atRest?.relatedLocations?.[1]?.physicalLocation.artifactLocation).toEqual({
      uri: '.synccli/debug.log',
      uriBaseId: 'CWD',
    });
    expect(Object.keys(run(log).originalUriBaseIds)).toContain('CWD');
  });

  it('percent-encodes file names into valid URI references', () => {
    const report = goldenReport();
    const finding = report.findings.find((f) => f.check === 'secret-at-rest') as Finding;
    finding.evidence = [
      {
        summary: 'device code in plain text in ./my dir/50%#1.log',
        location: { type: 'file', root: 'cwd', path: 'my dir/50%#1.log', mode: 0o644, size: 1 },
      },
    ];
    const related = run(sarif(report)).results.find((r) => r.ruleId === 'secret-at-rest')
      ?.relatedLocations?.[0];
    expect(related?.physicalLocation.artifactLocation.uri).toBe(
      'test/fixtures/report/my%20dir/50%25%231.log',
    );
  });
});

describe('fingerprints', () => {
  const fingerprintsOf = (log: Log) => run(log).results.map((r) => r.partialFingerprints);

  it('differ between results, including one check in several scenarios of one task', () => {
    const prints = fingerprintsOf(sarif(goldenReport()));
    expect(new Set(prints.map((p) => p['devicebound/v1'])).size).toBe(prints.length);
    expect(new Set(prints.map((p) => p.primaryLocationLineHash)).size).toBe(prints.length);
  });

  it('stay the same in another run of the same program: new canaries, times and offsets', () => {
    const before = fingerprintsOf(sarif(goldenReport()));
    // Every canary is a new random value in a new run: map each fingerprint to another one.
    const text = readFileSync(
      fileURLToPath(new URL('../../test/fixtures/report/evidence.json', import.meta.url)),
      'utf8',
    )
      .replace(
        /sha256:[0-9a-f]{64}/g,
        (print) => `sha256:${[...print.slice(7)].reverse().join('')}`,
      )
      .replace(/"createdAt": "[^"]+"/, '"createdAt": "2030-01-01T00:00:00.000Z"')
      .replace(/"offset": \d+/g, '"offset": 99');
    const rerun = JSON.parse(text) as Evidence;
    // The task moved down the policy file.
    for (const task of rerun.policy.tasks) if (task.source) task.source.line += 5;
    expect(fingerprintsOf(sarif(reportFrom(rerun)))).toEqual(before);
  });

  it('change when the evidence is elsewhere (another file)', () => {
    const report = goldenReport();
    const before = fingerprintsOf(sarif(report));
    const finding = report.findings.find((f) => f.check === 'secret-at-rest') as Finding;
    const index = report.findings.indexOf(finding);
    for (const item of finding.evidence)
      if (item.location?.type === 'file') item.location = { ...item.location, path: 'other.json' };
    const after = fingerprintsOf(sarif(report));
    expect(after[index]).not.toEqual(before[index]);
    expect(after.filter((_, i) => i !== index)).toEqual(before.filter((_, i) => i !== index));
  });
});
