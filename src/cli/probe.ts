import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { HarnessError } from '../errors.ts';
import { SEVERITIES, type Severity } from '../findings/severity.ts';
import { PROBE_FORMATS, type ProbeFormat } from '../probe/formats.ts';
import { formatOption, integer, oneOf, outputOption, seconds } from './options.ts';
import { assertOutputsMatchFormats, writeReports } from './write.ts';

interface ProbeFlags {
  clientId: string;
  scope?: string;
  samples: number;
  maxRequests: number;
  timeout: number;
  caFile?: string;
  allowCrossOrigin?: boolean;
  maxDeviceCodeLifetime: number;
  maxTokenLifetime: number;
  approveCommand?: string;
  allowBruteForceTest?: number;
  failOn?: Severity;
  format: ProbeFormat[];
  output: string[];
}

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description(
      "Check an authorization server's side of the device flow: lifetimes, interval, code entropy, single use, rotation, rate limits",
    )
    .argument('<issuer>', 'the issuer identifier, e.g. https://login.example.com')
    .option(
      '--client-id <id>',
      'a client_id the server accepts for the device flow',
      'devicebound-cli',
    )
    .option('--scope <scope>', 'scope to ask for in the device authorizations')
    .option('--samples <n>', 'device authorizations to read (default 3)', integer(1, 10), 3)
    .option(
      '--max-requests <n>',
      'every request the probe may make (default 30)',
      integer(1, 1000),
      30,
    )
    .option('--timeout <seconds>', 'per request (default 10)', seconds(600), 10)
    .option('--ca-file <file>', 'PEM CAs to trust for the server, besides the system store')
    .option('--allow-cross-origin', 'send requests to endpoints on another origin than the issuer')
    .option(
      '--max-device-code-lifetime <seconds>',
      'longest expires_in allowed (default 900)',
      integer(1, 86400 * 30),
      900,
    )
    .option(
      '--max-token-lifetime <seconds>',
      'longest access-token lifetime allowed (default 3600)',
      integer(1, 86400 * 365),
      3600,
    )
    .option(
      '--approve-command <command>',
      'approves one sign-in as its user (run by sh with DEVICEBOUND_USER_CODE and DEVICEBOUND_VERIFICATION_URI set); the probe then completes the flow',
    )
    .option(
      '--allow-brute-force-test <n>',
      'SEND N WRONG USER CODES to the verification page to see whether it starts refusing',
      integer(1, 1000),
    )
    .option(
      '--fail-on <severity>',
      `lowest severity that fails the run: ${SEVERITIES.join(', ')}`,
      oneOf(SEVERITIES),
    )
    .addOption(formatOption(PROBE_FORMATS))
    .addOption(outputOption())
    .action(async (issuer: string, given: Partial<ProbeFlags>) => {
      process.exitCode = await probe(issuer, {
        ...(given as ProbeFlags),
        format: given.format ?? [],
        output: given.output ?? [],
      });
    });
}

async function probe(issuer: string, flags: ProbeFlags): Promise<number> {
  assertOutputsMatchFormats(flags.format, flags.output);
  const [{ runProbe }, { renderProbe }] = await Promise.all([
    import('../probe/run.ts'),
    import('../probe/report.ts'),
  ]);
  const say = (line: string) => process.stderr.write(`devicebound probe: ${line}\n`);
  const plan = [
    'discovery (RFC 8414, then OpenID)',
    `${flags.samples} device authorization${flags.samples === 1 ? '' : 's'}`,
    'an early poll, an unknown device_code and a wrong client_id at the token endpoint',
    ...(flags.approveCommand
      ? [
          'a sign-in approved by --approve-command: polls, a second redemption, a refresh, revocation',
        ]
      : []),
    ...(flags.allowBruteForceTest
      ? [`${flags.allowBruteForceTest} WRONG user codes at the verification page`]
      : []),
  ];
  say(`will send at most ${flags.maxRequests} requests to ${issuer}: ${plan.join('; ')}`);
  const report = await runProbe({
    issuer,
    clientId: flags.clientId,
    ...(flags.scope !== undefined && { scope: flags.scope }),
    samples: flags.samples,
    maxRequests: flags.maxRequests,
    timeoutMs: flags.timeout * 1000,
    ...(flags.caFile && { caFile: flags.caFile }),
    allowCrossOrigin: flags.allowCrossOrigin ?? false,
    maxDeviceCodeLifetime: flags.maxDeviceCodeLifetime,
    maxTokenLifetime: flags.maxTokenLifetime,
    ...(flags.approveCommand && { approve: approveWith(flags.approveCommand) }),
    ...(flags.allowBruteForceTest !== undefined && { bruteForce: flags.allowBruteForceTest }),
    ...(flags.failOn && { failOn: flags.failOn }),
    onStep: say,
  });
  await writeReports(flags.format, flags.output, (format, options) =>
    renderProbe(format, report, options),
  );
  return report.summary.passed ? 0 : 1;
}

/** Runs the approval command for one user code; it has two minutes. */
function approveWith(command: string) {
  return ({
    userCode,
    verificationUri,
    verificationUriComplete,
  }: {
    userCode: string;
    verificationUri: string;
    verificationUriComplete?: string;
  }) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          DEVICEBOUND_USER_CODE: userCode,
          DEVICEBOUND_VERIFICATION_URI: verificationUri,
          ...(verificationUriComplete && {
            DEVICEBOUND_VERIFICATION_URI_COMPLETE: verificationUriComplete,
          }),
        },
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(
          new HarnessError('probe_approve', `--approve-command could not run: ${error.message}`),
        );
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else
          reject(
            new HarnessError(
              'probe_approve',
              `--approve-command ${signal ? `was killed (${signal})` : `exited with ${code}`}: the sign-in was not approved`,
            ),
          );
      });
    });
}
