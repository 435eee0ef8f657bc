/**
 * Redaction for a CLI's own logs: {@link redact} masks credentials in free text, and
 * {@link createRedactingLogger} puts every log line through it. Any CLI can use these, with or
 * without the rest of `devicebound/client`.
 *
 * What is masked (each rule has true- and false-positive samples in `redact.test.ts`):
 * - exact values the caller names (`values`), e.g. an opaque token only the caller knows;
 * - JWTs (JWS and JWE compact serialisations, RFC 7515 §7.1, RFC 7516 §7.1);
 * - `Authorization` credentials: `Bearer`, `DPoP`, `Basic` and GitHub's `token` scheme
 *   (RFC 6750 §2.1, RFC 9449 §7.1, RFC 7617);
 * - credential parameters in forms and URLs (`device_code=…`, `access_token=…`, …), in JSON
 *   (`"refresh_token": "…"`, also inside escaped JSON) and in `key: value` text;
 * - known provider token formats ({@link TOKEN_FORMATS}).
 */

/** The replacement for a masked value in a key or header context. */
export const REDACTED = '[REDACTED]';

/**
 * Parameter and field names whose values are credentials (RFC 6749 §4–6, RFC 7009 §2.1,
 * RFC 7636 §4.1, RFC 8628 §3.2, RFC 8693 §2.1, OpenID Connect Core §3.1.3.3).
 */
export const SECRET_PARAMETERS: readonly string[] = [
  'device_code',
  'user_code',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
  'code_verifier',
  'subject_token',
  'actor_token',
  'assertion',
  'password',
];

/** Names that are credentials as form or URL parameters only (`token=` in RFC 7009, `code=`). */
const FORM_ONLY_PARAMETERS = ['token', 'code'];

/** A known token format of a provider: a pattern that matches the whole token. */
export interface TokenFormat {
  /** Short name, shown in the mask: `[REDACTED:github]`. */
  readonly name: string;
  /** Matches one token; global flag not needed. */
  readonly pattern: RegExp;
}

/**
 * Token formats of well-known providers, in the spirit of gitleaks' rules. Prefixes are what
 * makes them recognisable; the character classes and minimum lengths follow each provider's
 * published format.
 */
export const TOKEN_FORMATS: readonly TokenFormat[] = [
  // JWS (3 parts) or JWE (5 parts): base64url JSON header `{"…` always starts `eyJ`.
  {
    name: 'jwt',
    pattern:
      /eyJ[A-Za-z0-9_-]{8,}\.(?:[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)/,
  },
  { name: 'github', pattern: /gh[pousr]_[A-Za-z0-9]{36,251}/ },
  { name: 'github', pattern: /github_pat_[A-Za-z0-9_]{22,244}/ },
  { name: 'gitlab', pattern: /gl(?:pat|oas|rt|dt|ptt|soat)-[A-Za-z0-9_-]{20,}/ },
  { name: 'slack', pattern: /xox[abeoprs](?:\.xox[bp])?-[A-Za-z0-9-]{10,}/ },
  { name: 'google', pattern: /ya29\.[A-Za-z0-9_-]{20,}/ },
  { name: 'google', pattern: /1\/\/0[A-Za-z0-9_-]{30,}/ },
  { name: 'npm', pattern: /npm_[A-Za-z0-9]{36}/ },
  { name: 'pypi', pattern: /pypi-AgE[A-Za-z0-9_-]{50,}/ },
  { name: 'atlassian', pattern: /ATATT3[A-Za-z0-9_=-]{50,}/ },
  { name: 'aws', pattern: /(?:AKIA|ASIA)[0-9A-Z]{16}/ },
  { name: 'stripe', pattern: /(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}/ },
  { name: 'openai', pattern: /sk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}/ },
  { name: 'huggingface', pattern: /hf_[A-Za-z0-9]{30,}/ },
  { name: 'shopify', pattern: /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/ },
  // The devicebound lab's opaque refresh tokens.
  { name: 'devicebound', pattern: /dbrt_[A-Za-z0-9_-]{40,}/ },
];

const names = (list: readonly string[]) => list.map(escapeRegExp).join('|');
const SECRET_NAMES = names(SECRET_PARAMETERS);
const FORM_NAMES = names([...SECRET_PARAMETERS, ...FORM_ONLY_PARAMETERS]);

/** `name=value` in a form body or URL; the value ends at `&`, `#`, whitespace or a quote. */
const FORM_PARAMETER = new RegExp(
  `(?<![A-Za-z0-9_.-])(${FORM_NAMES})=(?!\\[REDACTED)[^&#\\s"'<>]+`,
  'gi',
);
/** `"name": "value"` in JSON, and `\"name\": \"value\"` in JSON inside a JSON string. */
const JSON_FIELD = new RegExp(`("(?:${SECRET_NAMES})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*(")`, 'gi');
const ESCAPED_JSON_FIELD = new RegExp(
  `(\\\\"(?:${SECRET_NAMES})\\\\"\\s*:\\s*\\\\")(?:[^"\\\\]|\\\\[^"])*(\\\\")`,
  'gi',
);
/** `name: value` in plain text or YAML (not followed by a quote: that is JSON, done above). */
const TEXT_FIELD = new RegExp(
  `(?<![A-Za-z0-9_"-])(${SECRET_NAMES})(\\s*:[ \\t]*)(?!\\[REDACTED)([^\\s"',;&]+)`,
  'gi',
);
/** Credentials of an HTTP `Authorization` header (token68, RFC 9110 §11.2). */
const AUTHORIZATION = /\b(Bearer|DPoP|Basic)(\s+)(?!\[REDACTED)[A-Za-z0-9._~+/-]{8,}=*/gi;
/** GitHub's `Authorization: token …` scheme: only after the header name, "token" is prose. */
const TOKEN_SCHEME = /(authorization["']?\s*[:=]\s*["']?token\s+)(?!\[REDACTED)[^\s"',;]+/gi;

const FORMAT_PATTERNS = TOKEN_FORMATS.map(({ name, pattern }) => ({
  // Not inside a longer word: `xghp_…` is not a GitHub token; `=`, `/`, `"` may come before.
  pattern: new RegExp(`(?<![A-Za-z0-9_])${pattern.source}(?![A-Za-z0-9_])`, 'g'),
  mask: `[REDACTED:${name}]`,
}));

/** Options of {@link redact}. */
export interface RedactOptions {
  /**
   * Exact values to mask wherever they appear, e.g. an opaque token whose shape no pattern
   * knows. Values shorter than 4 characters are ignored (they would mask ordinary text).
   */
  readonly values?: Iterable<string>;
}

/**
 * Masks credentials in `text`: exact `values`, JWTs, `Authorization` credentials, credential
 * parameters in forms, URLs, JSON and `key: value` text, and known provider token formats.
 * What is left is safe to log; the shape of the text is kept (`device_code=[REDACTED]`).
 *
 * ```ts
 * redact('POST /token device_code=GmRhmhcxhwAzkoEqiMEg&client_id=cli');
 * // 'POST /token device_code=[REDACTED]&client_id=cli'
 * ```
 *
 * Bare opaque tokens without a known prefix cannot be recognised by their shape: pass them in
 * `values`, or better, never hand them to a logger.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-5.5 | RFC 8628 §5.5} (device code
 * and user code are credentials), {@link https://www.rfc-editor.org/rfc/rfc6750#section-5.3 |
 * RFC 6750 §5.3} (do not let bearer tokens leak).
 */
export function redact(text: string, options: RedactOptions = {}): string {
  let out = String(text);
  if (options.values) {
    const values = [...options.values].filter((value) => typeof value === 'string');
    for (const value of values.sort((a, b) => b.length - a.length)) {
      if (value.length >= 4) out = out.split(value).join(REDACTED);
    }
  }
  out = out.replace(TOKEN_SCHEME, `$1${REDACTED}`);
  out = out.replace(AUTHORIZATION, `$1$2${REDACTED}`);
  out = out.replace(JSON_FIELD, `$1${REDACTED}$2`);
  out = out.replace(ESCAPED_JSON_FIELD, `$1${REDACTED}$2`);
  out = out.replace(FORM_PARAMETER, (match, name: string) =>
    isFormOnly(name) && match.length - name.length - 1 < 8 ? match : `${name}=${REDACTED}`,
  );
  out = out.replace(TEXT_FIELD, `$1$2${REDACTED}`);
  for (const { pattern, mask } of FORMAT_PATTERNS) out = out.replace(pattern, mask);
  return out;
}

/** `code=1` is an exit code, not an authorization code: generic names need 8+ characters. */
function isFormOnly(name: string): boolean {
  return FORM_ONLY_PARAMETERS.includes(name.toLowerCase());
}

/** Log levels of {@link createRedactingLogger}, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Options of {@link createRedactingLogger}. */
export interface RedactingLoggerOptions {
  /**
   * Where a finished, redacted line goes. Default: `console.error`, so diagnostics stay on
   * standard error and a CLI's standard output is left for its results.
   */
  readonly write?: (line: string, level: LogLevel) => void;
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Put before every line, e.g. `my-cli: `. */
  readonly prefix?: string;
  /** Exact values to mask too, asked for at every line (see {@link RedactOptions.values}). */
  readonly values?: () => Iterable<string>;
}

/** A logger whose every line went through {@link redact}. */
export interface RedactingLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * A small logger for a CLI's own diagnostics that redacts every line before writing it.
 * Arguments are joined with spaces; objects are written as JSON with credential fields masked
 * by name; errors as `Name [code]: message`, followed by their causes.
 *
 * ```ts
 * const log = createRedactingLogger({ prefix: 'my-cli: ', level: 'debug' });
 * log.debug('token answer', body); // my-cli: token answer {"access_token":"[REDACTED]",…}
 * ```
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-5.5 | RFC 8628 §5.5}
 */
export function createRedactingLogger(options: RedactingLoggerOptions = {}): RedactingLogger {
  const write = options.write ?? ((line: string) => console.error(line));
  const threshold = LEVELS.indexOf(options.level ?? 'info');
  if (threshold < 0) throw new TypeError(`unknown log level: ${String(options.level)}`);
  const prefix = options.prefix ?? '';
  const at =
    (level: LogLevel) =>
    (...args: unknown[]): void => {
      if (LEVELS.indexOf(level) < threshold) return;
      const text = args.map(formatArgument).join(' ');
      const values = options.values?.();
      write(redact(prefix + text, values ? { values } : {}), level);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function formatArgument(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return formatError(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol')
    return String(value);
  try {
    return JSON.stringify(value, jsonReplacer()) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatError(error: Error, depth = 0): string {
  const code = (error as { code?: unknown }).code;
  const head = `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}`;
  const cause = error.cause;
  if (depth >= 3 || cause === undefined) return head;
  const tail = cause instanceof Error ? formatError(cause, depth + 1) : formatArgument(cause);
  return `${head} (cause: ${tail})`;
}

const SECRET_KEYS = new Set(SECRET_PARAMETERS.map((name) => name.toLowerCase()));

function jsonReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (key, value) => {
    if (key && SECRET_KEYS.has(key.toLowerCase()) && value !== null && value !== undefined)
      return REDACTED;
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return formatError(value);
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
