import { UsageError } from '../errors.ts';
import type { HarEntry } from '../evidence/har.ts';
import {
  AFTER_APPROVAL_FAULTS,
  type AfterApprovalFault,
  DIALECT_NAMES,
  type DialectName,
} from '../evidence/names.ts';
import type { RunCa } from '../tls/ca.ts';
import { normalizeHostName } from '../tls/names.ts';
import { USER_CODE_LENGTHS } from './canaries.ts';
import {
  type AutoDecision,
  isScenarioName,
  type PollFault,
  SCENARIOS,
  type ScenarioName,
  scenarioDefaults,
} from './scenarios.ts';

/** Options of `startLab()` and `devicebound serve`. Times are in seconds, as in OAuth. */
export interface LabOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; `0` (default) picks a free one. */
  port?: number;
  /** The only client the lab knows. Default `devicebound-cli`. */
  clientId?: string;
  /** Scenario supplying the defaults below. Default `approve`. */
  scenario?: ScenarioName;
  /** Polling interval announced in the device authorization response. Default 5 (RFC 8628 §3.2). */
  interval?: number;
  /** device_code lifetime. Default 600, or 4 intervals in the `expire` scenario. */
  expiresIn?: number;
  /** Access and ID token lifetime. Default 3600, or 2 in the `session` scenario. */
  tokenTtl?: number;
  /**
   * Take the scenario's decision (approve; deny in `deny`) on its own this many seconds after
   * the device authorization. `null` leaves the decision to a person on the verification page
   * or to `lab.approve()`. Default: the scenario's own timing for `startLab`.
   */
  approveAfter?: number | null;
  /** Polls (1-based, per device_code) answered with `slow_down`. */
  slowDownPolls?: number[];
  /** Polls (1-based, per device_code) answered with a bare HTTP 503 or a dropped connection. */
  faultPolls?: Partial<Record<number, PollFault>>;
  /**
   * What the lab gets wrong, once each, after approval: a token response cut off in the middle
   * of its JSON, a resource's 500 HTML page, a 401 on a good token. Default: the scenario's
   * (all three in `fault`, none elsewhere).
   */
  afterApprovalFaults?: AfterApprovalFault[];
  /** Issue refresh tokens with access tokens. Default true. */
  issueRefreshTokens?: boolean;
  /** Accept the refresh_token grant (with rotation). Default true. */
  allowRefresh?: boolean;
  /**
   * Answer `slow_down` to a poll that comes sooner than the interval in force, as RFC 8628 §3.5
   * lets a server do. Default true.
   */
  enforceInterval?: boolean;
  /**
   * The lab configured weak, for `probe` (each off or smaller than RFC 8628 asks): announce no
   * `interval`; user codes of this many characters (default 8); device codes that can be
   * redeemed again after approval; no limit on wrong user codes at the verification page.
   */
  announceInterval?: boolean;
  userCodeLength?: number;
  reusableDeviceCodes?: boolean;
  rateLimitUserCodes?: boolean;
  /** Scopes advertised in metadata. Requests may ask for any well-formed scope. */
  scopesSupported?: string[];
  /** Write every recorded event as one JSON line to this file. */
  traceFile?: string;
  /**
   * Keep only the newest this many events in `trace.events` (the trace file still gets every
   * one), so a long-running lab stays within bounds. Default: all of them, as judging needs.
   */
  keepEvents?: number;
  /**
   * The wire dialect the played hosts speak (`github`, `microsoft`); the lab's own loopback
   * issuer always speaks generic RFC 8628. Default `generic`.
   */
  dialect?: DialectName;
  /**
   * Host names the lab answers as itself (`github.com`, `login.microsoftonline.com`), reached
   * through the egress proxy. Default: the dialect's stock hosts when `proxy` is on.
   */
  hosts?: string[];
  /** Run an egress proxy that plays `hosts` and refuses (never forwards) everything else. */
  proxy?: boolean;
  /**
   * The run's certificate authority: played hosts are answered over TLS with leaves it issues.
   * Required for `tls` and for https through the proxy.
   */
  ca?: RunCa;
  /** Listen with TLS on the lab's own port (`https://127.0.0.1:PORT`), for clients that insist. */
  tls?: boolean;
  /**
   * What the proxy does with other destinations: `refuse` (default) refuses them unread;
   * `intercept` reads each request (TLS with the run CA, which must then be unconstrained),
   * searches it for canaries, records it and answers 503. Never forwarded either way.
   */
  egress?: 'intercept' | 'refuse';
  /**
   * Handed every exchange as a HAR entry, each credential the lab issued replaced by a stand-in
   * (`check --save-har`). Off by default: nothing is kept then.
   */
  onExchange?: (entry: HarEntry) => void;
}

export interface LabSettings {
  host: string;
  port: number;
  clientId: string;
  scenario: ScenarioName;
  interval: number;
  expiresIn: number;
  tokenTtl: number;
  autoDecision: AutoDecision | null;
  slowDownPolls: ReadonlySet<number>;
  faultPolls: ReadonlyMap<number, PollFault>;
  afterApprovalFaults: ReadonlySet<AfterApprovalFault>;
  issueRefreshTokens: boolean;
  allowRefresh: boolean;
  enforceInterval: boolean;
  announceInterval: boolean;
  userCodeLength: number;
  reusableDeviceCodes: boolean;
  rateLimitUserCodes: boolean;
  scopesSupported: string[];
  traceFile: string | undefined;
  /** `Infinity` when every event is kept. */
  keepEvents: number;
  dialect: DialectName;
  hosts: string[];
  proxy: boolean;
  ca: RunCa | undefined;
  tls: boolean;
  egress: 'intercept' | 'refuse';
  onExchange: ((entry: HarEntry) => void) | undefined;
}

const DEFAULT_CLIENT_ID = 'devicebound-cli';
const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'read', 'write', 'admin'];

/** Resolves options against the scenario's defaults and rejects impossible values (exit 2). */
export function resolveLabSettings(options: LabOptions = {}): LabSettings {
  const scenario = options.scenario ?? 'approve';
  if (!isScenarioName(scenario)) {
    throw new UsageError(
      `unknown scenario '${String(scenario)}'; expected one of ${SCENARIOS.join(', ')}`,
      {
        field: 'scenario',
      },
    );
  }
  const interval = positiveInteger('interval', options.interval ?? 5);
  const defaults = scenarioDefaults(scenario, interval);

  const expiresIn = positiveInteger(
    'expiresIn',
    options.expiresIn ??
      (defaults.expiresInIntervals ? defaults.expiresInIntervals * interval : 600),
  );
  const tokenTtl = positiveInteger('tokenTtl', options.tokenTtl ?? defaults.tokenTtl ?? 3600);

  let autoDecision = defaults.autoDecision;
  if (options.approveAfter === null) autoDecision = null;
  else if (options.approveAfter !== undefined) {
    const seconds = nonNegativeNumber('approveAfter', options.approveAfter);
    autoDecision = {
      decision: scenario === 'deny' ? 'deny' : 'approve',
      afterSeconds: seconds,
      afterPolls: defaults.autoDecision?.afterPolls ?? 0,
    };
  }

  const slowDownPolls = new Set(
    (options.slowDownPolls ?? defaults.slowDownPolls).map((n) => pollNumber('slowDownPolls', n)),
  );
  const faultPolls = new Map<number, PollFault>();
  for (const [poll, fault] of Object.entries(options.faultPolls ?? defaults.faultPolls)) {
    if (fault === undefined) continue;
    if (fault !== 'server-error' && fault !== 'drop') {
      throw new UsageError(`fault '${String(fault)}' must be 'server-error' or 'drop'`, {
        field: 'faultPolls',
      });
    }
    faultPolls.set(pollNumber('faultPolls', Number(poll)), fault);
  }

  const afterApprovalFaults = new Set(options.afterApprovalFaults ?? defaults.afterApprovalFaults);
  for (const fault of afterApprovalFaults) {
    if (!(AFTER_APPROVAL_FAULTS as readonly string[]).includes(fault)) {
      throw new UsageError(
        `fault '${String(fault)}' must be one of ${AFTER_APPROVAL_FAULTS.join(', ')}`,
        { field: 'afterApprovalFaults' },
      );
    }
  }

  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`must be an integer from 0 to 65535, got ${String(port)}`, {
      field: 'port',
    });
  }
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  if (!/^[\x21-\x7e]{1,200}$/.test(clientId)) {
    throw new UsageError('must be 1-200 visible ASCII characters', { field: 'clientId' });
  }

  const userCodeLength = options.userCodeLength ?? 8;
  if (
    !Number.isInteger(userCodeLength) ||
    userCodeLength < USER_CODE_LENGTHS.min ||
    userCodeLength > USER_CODE_LENGTHS.max
  ) {
    throw new UsageError(
      `must be a whole number from ${USER_CODE_LENGTHS.min} to ${USER_CODE_LENGTHS.max}`,
      { field: 'userCodeLength' },
    );
  }

  return {
    host: options.host ?? '127.0.0.1',
    port,
    clientId,
    scenario,
    interval,
    expiresIn,
    tokenTtl,
    autoDecision,
    slowDownPolls,
    faultPolls,
    afterApprovalFaults,
    issueRefreshTokens: options.issueRefreshTokens ?? true,
    allowRefresh: options.allowRefresh ?? true,
    enforceInterval: options.enforceInterval ?? true,
    announceInterval: options.announceInterval ?? true,
    userCodeLength,
    reusableDeviceCodes: options.reusableDeviceCodes ?? false,
    rateLimitUserCodes: options.rateLimitUserCodes ?? true,
    scopesSupported: options.scopesSupported ?? DEFAULT_SCOPES,
    traceFile: options.traceFile,
    keepEvents: keepEvents(options.keepEvents),
    onExchange: options.onExchange,
    ...network(options),
  };
}

/** The dialect, the played hosts, the proxy and TLS, checked against each other. */
function network(
  options: LabOptions,
): Pick<LabSettings, 'dialect' | 'hosts' | 'proxy' | 'ca' | 'tls' | 'egress'> {
  const dialect = options.dialect ?? 'generic';
  if (!(DIALECT_NAMES as readonly string[]).includes(dialect)) {
    throw new UsageError(
      `unknown dialect '${String(dialect)}'; expected one of ${DIALECT_NAMES.join(', ')}`,
      { field: 'dialect' },
    );
  }
  const proxy = options.proxy ?? false;
  const hosts = (options.hosts ?? []).map((host) => normalizeHostName(host, { field: 'hosts' }));
  if (options.hosts !== undefined && hosts.length === 0)
    throw new UsageError('expected at least one host name', { field: 'hosts' });
  const tls = options.tls ?? false;
  if ((tls || proxy) && !options.ca)
    throw new UsageError('TLS and the egress proxy need the run CA', { field: 'ca' });
  const egress = options.egress ?? 'refuse';
  if (egress !== 'intercept' && egress !== 'refuse')
    throw new UsageError(`egress must be 'intercept' or 'refuse'`, { field: 'egress' });
  return { dialect, hosts: [...new Set(hosts)], proxy, ca: options.ca, tls, egress };
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 86_400) {
    throw new UsageError(
      `must be a whole number of seconds from 1 to 86400, got ${String(value)}`,
      {
        field,
      },
    );
  }
  return value;
}

function keepEvents(value: number | undefined): number {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`must be a whole number of events from 1, got ${String(value)}`, {
      field: 'keepEvents',
    });
  }
  return value;
}

function pollNumber(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new UsageError(`poll numbers start at 1, got ${String(value)}`, { field });
  }
  return value;
}

function nonNegativeNumber(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 86_400) {
    throw new UsageError(`must be a number of seconds from 0 to 86400, got ${String(value)}`, {
      field,
    });
  }
  return value;
}
