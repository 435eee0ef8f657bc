import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Evidence } from '../evidence/model.ts';
import { SCENARIOS } from '../evidence/names.ts';
import { judgeEvidence, mergeEvidence } from '../pipeline/check.ts';
import { oneTaskPolicy, resolveTask } from '../policy/resolve.ts';
import type { Policy } from '../policy/types.ts';
import { render } from '../report/index.ts';
import { buildReport, type Report } from '../report/model.ts';
import { renderFindingsText } from '../report/text.ts';
import { runCheck } from '../runner/index.ts';
import { Progress } from './progress.ts';
import { writeAtomically } from './write.ts';

/**
 * The well-behaved CLI is the library's own example (`examples/device-login.mjs`, built on
 * `devicebound/client`); the leaky one does by hand what real CLIs get wrong.
 */
const SAMPLES: Record<string, string> = {
  'good-cli': fileURLToPath(new URL('../../examples/device-login.mjs', import.meta.url)),
  'leaky-cli': fileURLToPath(new URL('../../samples/leaky-cli.mjs', import.meta.url)),
};
const REPORT_FILE = 'devicebound-report.html';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Check two bundled sample CLIs, one well-behaved and one leaky, in every scenario')
    .option('--output <file>', 'where to write the HTML report', REPORT_FILE)
    .action(async (flags: { output: string }) => {
      process.exitCode = await demo(flags.output);
    });
}

/** The main job on its embedded default: no configuration, under a minute, exit 0. */
async function demo(output: string): Promise<number> {
  const started = Date.now();
  const samples = ['good-cli', 'leaky-cli'];
  process.stdout.write(
    `devicebound demo: checking ${samples.join(' and ')} in ${SCENARIOS.length} scenarios each, against the lab…\n`,
  );
  const progress = new Progress(process.stderr, samples.length * SCENARIOS.length);
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  let evidence: Evidence;
  // The samples run in an empty folder of their own: the user's folder is not theirs to copy.
  const workdir = await mkdtemp(join(tmpdir(), 'devicebound-demo-'));
  try {
    // One policy per sample, so each one's session scenario runs itself twice.
    const runs = await Promise.all(
      samples.map((name) =>
        runCheck(samplePolicy(name, workdir), {
          signal: controller.signal,
          onProgress: (task, scenario, state) => progress.update(`${task}/${scenario}`, state),
        }),
      ),
    );
    progress.finish();
    evidence = mergeEvidence(runs);
  } finally {
    process.off('SIGINT', interrupt);
    await rm(workdir, { recursive: true, force: true });
  }
  if (controller.signal.aborted) {
    process.stderr.write(
      'devicebound: interrupted; programs stopped, labs closed, sandboxes removed\n',
    );
    return 130;
  }

  const { findings, report } = judgeEvidence(evidence, { failOn: 'low' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);

  process.stdout.write(`\n${sideBySide(report, samples)}\n`);
  const leaky = buildReport(
    { ...evidence, runs: evidence.runs.filter((run) => run.task === 'leaky-cli') },
    findings.filter((finding) => finding.task === 'leaky-cli'),
    { source: undefined, failOn: 'low' },
  );
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  process.stdout.write(
    `What is wrong with leaky-cli, with the evidence:\n\n${renderFindingsText(leaky, { color })}\n`,
  );

  const file = resolve(output);
  await writeAtomically(file, render('html', report, { color: false }));
  process.stdout.write(
    [
      `Checked in ${seconds} s. The full report, with a polling timeline per scenario: ${file}`,
      '',
      'Check your own CLI:  npx devicebound check --allow-scope <scope> -- <your-cli> login',
      '',
    ].join('\n'),
  );
  return 0;
}

function samplePolicy(name: string, cwd: string): Policy {
  const sample = SAMPLES[name] ?? '';
  const task = resolveTask(
    name,
    { run: [process.execPath, sample], timeout: '90s' },
    cwd,
    undefined,
  );
  // Reports show `node` and the sample's path as a user finds it: under the current folder,
  // or inside the devicebound package; not this machine's absolute paths.
  const here = process.cwd();
  const shown = sample.startsWith(`${here}/`)
    ? relative(here, sample)
    : `devicebound/${relative(PACKAGE_ROOT, sample)}`;
  return oneTaskPolicy({ ...task, shown: ['node', shown] });
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The two verdicts side by side, one row per scenario; long cells wrap at commas. */
function sideBySide(report: Report, samples: string[]): string {
  const COLUMN = 40;
  const cell = (task: string, scenario: string): string[] => {
    const checks = [
      ...new Set(
        report.findings
          .filter((f) => f.task === task && f.scenario === scenario)
          .map((f) => f.check),
      ),
    ];
    return checks.length ? wrap(`✗ ${checks.join(', ')}`, COLUMN) : ['✓ inside the boundary'];
  };
  const verdict = (task: string): string[] => {
    const count = report.findings.filter((f) => f.task === task).length;
    return [count ? `FAIL: ${count} findings` : 'PASS: no findings'];
  };
  const rows: [string, string[][]][] = [
    ['', samples.map((task) => [task])],
    ...SCENARIOS.map((scenario): [string, string[][]] => [
      scenario,
      samples.map((task) => cell(task, scenario)),
    ]),
    ['verdict', samples.map(verdict)],
  ];
  const first = Math.max(...rows.map(([label]) => label.length));
  const lines: string[] = [];
  for (const [label, cells] of rows) {
    const height = Math.max(...cells.map((c) => c.length));
    for (let i = 0; i < height; i++) {
      const text = cells.map((c) => (c[i] ?? '').padEnd(COLUMN)).join('   ');
      lines.push(`  ${(i === 0 ? label : '').padEnd(first)}   ${text}`.trimEnd());
    }
  }
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
