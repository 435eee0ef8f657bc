import { z } from 'zod';
import { DIALECT_NAMES, SCENARIOS } from '../evidence/names.ts';
import { SEVERITIES } from '../findings/severity.ts';
import { DURATION, EGRESS_GLOB } from './values.ts';

const duration = z
  .union([
    z.number().positive(),
    z.string().regex(DURATION, 'expected a duration such as 30s, 2m or 500ms'),
  ])
  .describe('A duration: 30s, 2m, 500ms, 1h, or a number of seconds.');

const scopeToken = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected one scope (no spaces or quotes)');

const stringMap = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name'),
  z.string(),
);

const hostName = z
  .string()
  .min(1, 'expected a host name')
  .max(253)
  .regex(
    /^(?=.*[a-zA-Z])[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/,
    'expected a DNS host name such as github.com (no IP address, range, wildcard or port)',
  );

export const taskSchema = z.strictObject({
  preset: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'expected a preset name such as gh or az')
    .optional()
    .describe(
      'A real program to check unmodified (gh, az, …): fills in run, dialect, hosts, client_id and env; any field here overrides it.',
    ),
  program: z
    .string()
    .min(1)
    .optional()
    .describe("The preset's program (path or name on PATH), e.g. /usr/bin/gh."),
  run: z
    .union([
      z.array(z.string()).min(1, 'expected the command and its arguments'),
      z.string().min(1),
    ])
    .optional()
    .describe('The command to run: a list (argv) or a string split on spaces.'),
  client_id: z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'expected 1-200 visible ASCII characters')
    .optional()
    .describe("The client_id the lab expects for this task (default: the policy's)."),
  dialect: z
    .enum(DIALECT_NAMES)
    .optional()
    .describe('How the played hosts speak: generic RFC 8628, github or microsoft.'),
  hosts: z
    .array(hostName)
    .min(1, 'expected at least one host name')
    .optional()
    .describe(
      'Host names the lab answers as itself through the egress proxy (github.com, login.microsoftonline.com, …).',
    ),
  egress: z
    .strictObject({
      mode: z
        .enum(['intercept', 'refuse'])
        .optional()
        .describe(
          'intercept (default): requests to hosts the task does not play are read (TLS with the run CA), searched for secrets, recorded and answered 503; refuse: refused unread. Never forwarded.',
        ),
      allow: z
        .array(z.string().regex(EGRESS_GLOB, 'expected a host name or a *.domain glob'))
        .optional()
        .describe(
          'Hosts the program may contact without an unexpected-egress finding (*.example.com for subdomains).',
        ),
    })
    .optional()
    .describe('What happens to destinations other than the played hosts.'),
  tls: z
    .boolean()
    .optional()
    .describe(
      "The lab's own issuer listens with TLS (https://127.0.0.1:PORT), trusted through the run CA.",
    ),
  env: stringMap
    .optional()
    .describe(
      'Extra environment. Templates: {issuer}, {host}, {port}, {client_id}, {resource}, {ca_file}, {proxy}.',
    ),
  scopes: z
    .strictObject({ allow: z.array(scopeToken).describe('Scopes the task may ask for.') })
    .optional(),
  session: z
    .enum(['ephemeral', 'reuse'])
    .optional()
    .describe('reuse: a later task may use this credential.'),
  refresh: z.enum(['forbidden', 'allowed']).optional(),
  storage: z
    .union([z.enum(['none', 'keyring']), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('none, keyring, or file globs where storing a credential is allowed (~/ is HOME).'),
  timeout: duration.optional(),
  max_token_lifetime: duration
    .optional()
    .describe(
      'analyze: the longest an access token may live (expires_in or JWT exp); default 1h (long-lived-token).',
    ),
  stdin: z
    .string()
    .optional()
    .describe('Text fed to the program on stdin; stdin is closed when absent.'),
  cwd: z.string().min(1).optional().describe('Working directory, relative to the policy file.'),
});

export const policySchema = z
  .strictObject({
    version: z.literal(1),
    client_id: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, 'expected 1-200 visible ASCII characters')
      .optional(),
    fail_on: z.enum(SEVERITIES as [string, ...string[]]).optional(),
    interval: z
      .int()
      .min(1)
      .max(600)
      .optional()
      .describe('Force one base polling interval (seconds) in every scenario.'),
    tasks: z
      .record(
        z
          .string()
          .regex(
            /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
            'expected a task name of letters, digits, . _ -',
          ),
        taskSchema,
      )
      .refine((tasks) => Object.keys(tasks).length > 0, 'expected at least one task'),
    scenarios: z.array(z.enum(SCENARIOS)).min(1).optional(),
  })
  .describe('devicebound policy (devicebound.yaml), version 1.');

export type RawTask = z.infer<typeof taskSchema>;
