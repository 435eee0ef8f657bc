// `npm run bench`: runs every benchmark below in order and prints one plain-text table each.
// Exits 0 when every benchmark ran, whether or not its goals were met (the table says);
// exits 1 when one failed to run.
import { cpus } from 'node:os';
import { benchmark as analyzeThroughput } from './analyze-throughput.ts';
import { benchmark as canarySearch } from './canary-search.ts';
import { benchmark as checkOverhead } from './check-overhead.ts';
import { benchmark as interceptOverhead } from './intercept-overhead.ts';
import { benchmark as inventoryFleet } from './inventory-fleet.ts';
import { benchmark as labMemory } from './lab-memory.ts';
import { benchmark as labThroughput } from './lab-throughput.ts';
import { killAllChildren } from './lib/children.ts';
import { type Benchmark, log, table } from './lib/report.ts';
import { benchmark as processTraceOverhead } from './process-trace-overhead.ts';
import { benchmark as scanSmall } from './scan-small.ts';
import { benchmark as scanThroughput } from './scan-throughput.ts';
import { benchmark as tlsProxyOverhead } from './tls-proxy-overhead.ts';
import { benchmark as workingCopy } from './working-copy.ts';

/** In order. A new benchmark is a module exporting a `Benchmark`, added here. */
const BENCHMARKS: Benchmark[] = [
  labThroughput,
  labMemory,
  canarySearch,
  checkOverhead,
  workingCopy,
  tlsProxyOverhead,
  processTraceOverhead,
  interceptOverhead,
  scanThroughput,
  scanSmall,
  analyzeThroughput,
  inventoryFleet,
];

// Never leave a server child behind.
process.on('SIGINT', () => {
  killAllChildren();
  process.stderr.write('\n[bench] interrupted\n');
  process.exit(130);
});
process.on('SIGTERM', () => {
  killAllChildren();
  process.exit(143);
});
process.on('exit', killAllChildren);

const only = process.argv.slice(2);
const selected = only.length ? BENCHMARKS.filter((b) => only.includes(b.name)) : BENCHMARKS;
if (selected.length === 0) {
  process.stderr.write(
    `unknown benchmark; expected some of: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`,
  );
  process.exit(2);
}

const sections: string[] = [];
let failed = 0;
let missed = 0;
for (const bench of selected) {
  log(`${bench.name}: ${bench.title}`);
  let section = `${bench.name}: ${bench.title}\n`;
  try {
    const result = await bench.run();
    section += `${table(result.figures)}\n`;
    section += result.notes.map((note) => `  * ${note}`).join('\n');
    missed += result.figures.filter((f) => f.goal && !f.goal.met).length;
  } catch (error) {
    failed += 1;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    section += `  FAILED: ${message.replace(/\n/g, '\n  ')}`;
  }
  sections.push(section);
}

const cpu = cpus();
const header = `devicebound benchmarks: node ${process.version}, ${process.platform} ${process.arch}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${new Date().toISOString()}`;
const summary =
  failed > 0
    ? `${failed} benchmark(s) FAILED to run`
    : missed > 0
      ? `all benchmarks ran; ${missed} goal(s) NOT met`
      : 'all benchmarks ran; every goal met';
process.stdout.write(`\n${header}\n\n${sections.join('\n\n')}\n\n${summary}\n`);
process.exitCode = failed > 0 ? 1 : 0;
