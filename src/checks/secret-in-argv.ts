// NHI2:2025, CSF PR.DS-01; proc(5): a process's argv is /proc/PID/cmdline, readable by every
// user of the machine (unless /proc is mounted with hidepid), shown by `ps`, written to audit
// logs and copied into shell history. A token or device code handed to a child on its command
// line (`curl -H "Authorization: Bearer …"`, `git -c http.extraHeader=…`, `docker login -p …`)
// is published to the whole machine for as long as the child lives, however short.
//
// A child's environment (/proc/PID/environ) is readable only by the same user and root, but it
// is inherited by everything the child starts in turn and lands in crash reports and debug
// dumps: reported in the same finding, at severity info when it is the only exposure.
import type { ProcessHit, StartedProcess } from '../evidence/model.ts';
import type { CanaryKind } from '../evidence/names.ts';
import { distinct, encodingPhrase, kindName, list, shortList } from './format.ts';
import { clockOf, invocationsOf } from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

/** The user code is meant to be seen (a browser opened on the verification URI may carry it). */
const SECRET_IN_ARGV: ReadonlySet<CanaryKind> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'device_code',
  'client_secret',
  'cloud_key',
]);

interface Exposure {
  process: StartedProcess;
  hit: ProcessHit;
  which: string;
}

export const check: Check = {
  meta: {
    id: 'secret-in-argv',
    severity: 'high',
    description:
      'Disallow tokens and device codes in the argv (high) or environment (info) of processes the program starts',
    standards: ['NHI2:2025', 'CSF PR.DS-01'],
    fix: 'Hand credentials to child processes on stdin, through a file descriptor or a 0600 file, or with a credential helper (git credential, curl -K -, docker login --password-stdin); never on the command line, and keep them out of the environment children inherit.',
  },

  evaluate({ run }) {
    const invocations = invocationsOf(run);
    const exposures: Exposure[] = [];
    for (const invocation of invocations) {
      const which = invocations.length > 1 ? `run ${invocation.index}: ` : '';
      for (const process of invocation.processes?.started ?? []) {
        for (const hit of process.hits) {
          if (SECRET_IN_ARGV.has(hit.kind)) exposures.push({ process, hit, which });
        }
      }
    }
    if (exposures.length === 0) return null;

    const inArgv = exposures.filter(({ hit }) => hit.where === 'argv');
    const inEnv = exposures.filter(({ hit }) => hit.where === 'env');
    const parts: string[] = [];
    if (inArgv.length > 0) {
      parts.push(
        `put ${kindsOf(inArgv)} on the command line of ${namesOf(inArgv)}, where every user ` +
          'of the machine can read it (ps, /proc/PID/cmdline)',
      );
    }
    if (inEnv.length > 0) {
      parts.push(
        `${inArgv.length > 0 ? 'and ' : 'put '}${kindsOf(inEnv)} in the environment of ` +
          `${namesOf(inEnv)}, which everything started from there inherits`,
      );
    }
    const clock = clockOf(run);
    return {
      message: parts.join(', '),
      severity: inArgv.length > 0 ? 'high' : 'info',
      // The command line first: it is the worse exposure.
      evidence: [...inArgv, ...inEnv].map((exposure) => evidenceOf(exposure, clock)),
    };
  },
};

function kindsOf(exposures: Exposure[]): string {
  return list(distinct(exposures.map(({ hit }) => kindName(hit.kind))));
}

function namesOf(exposures: Exposure[]): string {
  return shortList(distinct(exposures.map(({ process }) => process.name)));
}

function evidenceOf({ process, hit, which }: Exposure, clock: (t: number) => string): EvidenceItem {
  const where =
    hit.where === 'argv'
      ? `argv[${hit.index ?? '?'}]`
      : hit.variable
        ? `environment variable ${hit.variable}`
        : "an environment variable's name";
  const when = process.at === undefined ? '' : ` at ${clock(process.at)}`;
  return {
    summary:
      `${which}${kindName(hit.kind)} ${encodingPhrase(hit.encoding)} in ${where} of ` +
      `${process.name} (pid ${process.pid}, started${when})`,
    ...(process.at !== undefined && { at: process.at }),
    kind: hit.kind,
    fingerprint: hit.canary,
    preview: hit.preview,
  };
}
