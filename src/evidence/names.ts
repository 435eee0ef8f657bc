/**
 * The closed vocabularies evidence is written in: scenario, dialect, credential and severity
 * names. They sit at the bottom so that every source (the lab, captures), the policy, the
 * findings core and the schemas can list them without loading anything else.
 */

/**
 * The six v1 scenarios (DESIGN.md) and v2's `fault`; the lab gives each its settings
 * (`lab/scenarios.ts`).
 */
export const SCENARIOS = [
  'approve',
  'deny',
  'expire',
  'slow-down',
  'server-error',
  'session',
  'fault',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * The scenario of a run rebuilt from a capture (`analyze`): traffic that already happened, not
 * one the lab steered. Never a scenario `check` runs.
 */
export const CAPTURE_SCENARIO = 'capture';
/**
 * The marker a capture's runs end with, at the end of the recording: what a flow had not done
 * by then, the capture shows it did not do; after it, nothing is known.
 */
export const CAPTURE_END_MARKER = 'capture-end';
/**
 * The marker where a capture's run starts a new sitting: its first request after more than
 * an hour without one (a capture's stand-in for the lab's separate program runs).
 */
export const CAPTURE_SITTING_MARKER = 'capture-sitting';
export type RunScenario = ScenarioName | typeof CAPTURE_SCENARIO;

/**
 * What the lab can get wrong after approval, once each (the `fault` scenario has all three):
 * a token response cut off in the middle of its JSON (the next poll gets a proper one), a
 * resource answering 500 with an HTML page, and a 401 with `WWW-Authenticate` on a token that
 * is still good.
 */
export const AFTER_APPROVAL_FAULTS = [
  'truncated-token',
  'resource-error',
  'resource-unauthorized',
] as const;
export type AfterApprovalFault = (typeof AFTER_APPROVAL_FAULTS)[number];

/** The faults a request event can say the scenario injected. */
export const INJECTED_FAULTS = [
  'server-error',
  'drop',
  'truncated',
  'resource-error',
  'unauthorized',
] as const;
export type InjectedFault = (typeof INJECTED_FAULTS)[number];

/** The dialects the lab speaks (DESIGN.md v2): how played hosts map onto one RFC 8628 state. */
export const DIALECT_NAMES = ['generic', 'github', 'microsoft', 'aws'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/** The stock hosts each dialect plays when a task names none (the lab answers them as itself). */
export const DIALECT_HOSTS: Readonly<Record<DialectName, readonly string[]>> = {
  generic: [],
  github: ['github.com', 'api.github.com'],
  microsoft: ['login.microsoftonline.com', 'management.azure.com', 'graph.microsoft.com'],
  // IAM Identity Center in the lab's one region: SSO OIDC, the SSO portal, STS (regional and
  // global).
  aws: [
    'oidc.us-east-1.amazonaws.com',
    'portal.sso.us-east-1.amazonaws.com',
    'sts.us-east-1.amazonaws.com',
    'sts.amazonaws.com',
  ],
};

/** The credentials of the device flow, as evidence names them (never their values). */
export const CANARY_KINDS = [
  'device_code',
  'user_code',
  'access_token',
  'refresh_token',
  'id_token',
  // v2: a dynamically registered client's secret (AWS SSO OIDC `clientSecret`).
  'client_secret',
  // v2: cloud keys a device-flow token was exchanged for (AWS role credentials: the access key
  // id, the secret access key and the session token).
  'cloud_key',
] as const;
export type CanaryKind = (typeof CANARY_KINDS)[number];

/**
 * How bad a finding is, least to most (`src/findings` gives the order its rules). Named here
 * because saved evidence holds one: the `fail_on` of the policy it was judged under.
 */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** How a canary was written where it was found; `user-code-variant` is a user code without
 * its dash, or in another case. */
export const CANARY_ENCODINGS = [
  'raw',
  'base64',
  'base64url',
  'hex',
  'url',
  'json',
  'utf16le',
  'user-code-variant',
] as const;
export type CanaryEncoding = (typeof CANARY_ENCODINGS)[number];
