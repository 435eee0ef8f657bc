import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { LabEvent } from '../evidence/events.ts';
import { DIALECT_HOSTS } from '../evidence/names.ts';
import {
  DIALECT_NAMES,
  type DialectName,
  type Lab,
  SCENARIOS,
  type ScenarioName,
  startLab,
} from '../lab/index.ts';
import { isLoopbackHost } from '../lab/loopback.ts';
import { networkVariables } from '../runner/environment.ts';
import { integer, oneOf, seconds } from './options.ts';

interface ServeFlags {
  host: string;
  port: number;
  interval?: number;
  expiresIn?: number;
  tokenTtl?: number;
  scenario: ScenarioName;
  approveAfter?: number;
  clientId?: string;
  trace?: string;
  keepEvents: number;
  quiet?: boolean;
  dialect?: DialectName;
  tls?: boolean;
  hostName?: string[];
  omitInterval?: boolean;
  userCodeLength?: number;
  reusableDeviceCodes?: boolean;
  rateLimit: boolean;
  slowDown: boolean;
}

/** Events a `serve` keeps in memory: a lab left running for days stays within bounds. */
const DEFAULT_KEEP_EVENTS = 10_000;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the lab authorization server until Ctrl-C')
    .option('--host <host>', 'interface to listen on (loopback unless you mean it)', '127.0.0.1')
    .option('--port <port>', 'port; 0 picks a free one', integer(0, 65535), 0)
    .option(
      '--interval <seconds>',
      'polling interval announced to clients (default 5)',
      integer(1, 86400),
    )
    .option('--expires-in <seconds>', 'device_code lifetime (default 600)', integer(1, 86400))
    .option(
      '--token-ttl <seconds>',
      'access and ID token lifetime (default 3600)',
      integer(1, 86400),
    )
    .option('--scenario <name>', `one of ${SCENARIOS.join(', ')}`, oneOf(SCENARIOS), 'approve')
    .option(
      '--approve-after <seconds>',
      "decide without a person this long after each device authorization (denies in the 'deny' scenario)",
      seconds(86400),
    )
    .option('--client-id <id>', 'the client_id the lab accepts (default devicebound-cli)')
    .option('--trace <file>', 'write every request and decision as JSON lines to this file')
    .option(
      '--keep-events <count>',
      'events kept in memory; older ones are dropped from memory, never from --trace',
      integer(1, 100_000_000),
      DEFAULT_KEEP_EVENTS,
    )
    .option(
      '--dialect <name>',
      `how the played hosts speak: ${DIALECT_NAMES.join(', ')} (default generic)`,
      oneOf(DIALECT_NAMES),
    )
    .option(
      '--host-name <host>',
      "a host the lab plays through its egress proxy (repeatable; default: the dialect's stock hosts)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--tls', "listen with TLS on the lab's own port, with a certificate from a fresh CA")
    .option('--omit-interval', 'weak: announce no interval in device authorization answers')
    .option(
      '--user-code-length <n>',
      'weak below 8: user codes of this many base-20 characters',
      integer(4, 12),
    )
    .option('--reusable-device-codes', 'weak: a device_code can be redeemed again after approval')
    .option('--no-rate-limit', 'weak: no limit on wrong user codes at the verification page')
    .option('--no-slow-down', 'weak: never answer slow_down to a poll that comes too soon')
    .option('-q, --quiet', 'do not log each request')
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  if (!isLoopbackHost(flags.host)) {
    process.stderr.write(
      `\n  WARNING: listening on ${flags.host}, which is not a loopback address.\n` +
        '  The lab approves sign-ins for anyone who can reach it and has no TLS.\n' +
        '  Use it only on a network you control.\n\n',
    );
  }
  // Listen for Ctrl-C before the lab exists, so a signal during start-up still closes it.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // With a dialect, played hosts or TLS: a CA for this run (in memory; its certificate goes to
  // a temporary file to export) and the egress proxy.
  const network = flags.dialect !== undefined || flags.hostName !== undefined || flags.tls === true;
  const { createRunCa } = await import('../tls/ca.ts');
  const hosts = flags.hostName ?? (flags.dialect ? [...DIALECT_HOSTS[flags.dialect]] : []);
  const ca = network ? await createRunCa({ hosts }) : undefined;
  const caFolder = ca ? await mkdtemp(join(tmpdir(), 'devicebound-serve-')) : undefined;
  const caFile = caFolder ? join(caFolder, 'devicebound-run-ca.pem') : undefined;
  if (ca && caFile) await writeFile(caFile, ca.certPem, { mode: 0o644 });
  const lab = await startLab({
    host: flags.host,
    port: flags.port,
    ...(ca && {
      ca,
      proxy: true,
      hosts,
      tls: flags.tls ?? false,
      dialect: flags.dialect ?? 'generic',
    }),
    scenario: flags.scenario,
    approveAfter: flags.approveAfter ?? null,
    ...(flags.interval !== undefined && { interval: flags.interval }),
    ...(flags.expiresIn !== undefined && { expiresIn: flags.expiresIn }),
    ...(flags.tokenTtl !== undefined && { tokenTtl: flags.tokenTtl }),
    ...(flags.clientId !== undefined && { clientId: flags.clientId }),
    ...(flags.trace !== undefined && { traceFile: flags.trace }),
    keepEvents: flags.keepEvents,
    ...(flags.omitInterval && { announceInterval: false }),
    ...(flags.userCodeLength !== undefined && { userCodeLength: flags.userCodeLength }),
    ...(flags.reusableDeviceCodes && { reusableDeviceCodes: true }),
    rateLimitUserCodes: flags.rateLimit,
    enforceInterval: flags.slowDown,
  });
  let requests = 0;
  lab.trace.on('event', (event) => {
    if (event.type === 'request') requests += 1;
  });
  printBanner(lab, flags, caFile);
  if (!flags.quiet) lab.trace.on('event', (event) => process.stdout.write(logLine(event)));

  await stopped;
  await lab.close();
  if (caFolder) await rm(caFolder, { recursive: true, force: true });
  process.stdout.write(
    `\nlab closed after ${requests} request${requests === 1 ? '' : 's'}${flags.trace ? `; trace written to ${flags.trace}` : ''}\n`,
  );
}

function printBanner(lab: Lab, flags: ServeFlags, caFile: string | undefined): void {
  printLabBanner(lab, flags);
  if (lab.proxy && caFile) {
    const variables = networkVariables({ proxy: lab.proxy, caFile });
    const hosts = lab.settings.hosts;
    process.stdout.write(
      [
        `${lab.settings.dialect} dialect${hosts.length ? `; plays ${hosts.join(', ')}` : ''}`,
        `  egress proxy ${lab.proxy}: played hosts are answered by the lab, everything else is refused, nothing is forwarded`,
        `  CA certificate (valid 1 day, key in memory only): ${caFile}`,
        '',
        'Send your CLI through the proxy, trusting only this CA (same shell):',
        ...Object.entries(variables).map(
          ([name, value]) => `  export ${name}=${value === '' ? "''" : value}`,
        ),
        '',
      ].join('\n'),
    );
  }
}

function printLabBanner(lab: Lab, flags: ServeFlags): void {
  const { settings } = lab;
  const decision =
    flags.approveAfter === undefined
      ? `a person decides at ${lab.issuer}/device`
      : `${settings.scenario === 'deny' ? 'denied' : 'approved'} automatically after ${flags.approveAfter} s`;
  process.stdout.write(
    [
      `devicebound lab listening on ${lab.issuer}`,
      `  scenario ${settings.scenario}; interval ${settings.interval} s; codes expire in ${settings.expiresIn} s; tokens live ${settings.tokenTtl} s`,
      `  sign-ins: ${decision}`,
      '',
      'Point your CLI at it:',
      `  export DEVICEBOUND_ISSUER=${lab.issuer}`,
      `  export DEVICEBOUND_CLIENT_ID=${lab.clientId}`,
      `  export DEVICEBOUND_RESOURCE=${lab.resource}`,
      '',
      'Or try it with curl:',
      `  curl -s -d client_id=${lab.clientId} -d scope=openid ${lab.issuer}/device_authorization`,
      `  curl -s -d client_id=${lab.clientId} -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d device_code=DEVICE_CODE ${lab.issuer}/token`,
      '',
      'Ctrl-C stops the lab.',
      '',
    ].join('\n'),
  );
}

/** One line per event, with credential fingerprints shortened; never a raw value. */
function logLine(event: LabEvent): string {
  const time = `+${(event.t / 1000).toFixed(1)}s`.padStart(8);
  switch (event.type) {
    case 'request': {
      const poll = event.poll ? ` poll ${event.poll}` : '';
      const code = event.deviceCode ? ` device_code ${event.deviceCode.slice(7, 19)}…` : '';
      const scope =
        event.scope && event.endpoint === 'device_authorization' ? ` scope "${event.scope}"` : '';
      return `${time} ${event.method} ${event.path}${code}${poll}${scope} → ${event.status || '—'} ${event.outcome}\n`;
    }
    case 'decision':
      return `${time} ${event.decision} by ${event.by}: device_code ${event.deviceCode.slice(7, 19)}…\n`;
    case 'marker':
      return `${time} -- ${event.label}\n`;
    case 'lab-start':
      return '';
    case 'egress':
      return `${time} refused ${event.method} ${event.host}:${event.port}${event.path ?? ''} (${event.reason})\n`;
  }
}
