/**
 * The probe's only way out: a polite HTTP client. Every request counts against a budget
 * (`--max-requests`) and is refused before it is sent once the budget is spent; each has a
 * timeout; redirects are never followed (a 3xx is an answer like any other); and the first
 * 429 or `Retry-After` stops the probe at once. Each request is logged for the report without
 * its body and without its query (a credential can be in either).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeRequestLog {
  /** 1-based. */
  n: number;
  step: string;
  method: string;
  /** Origin and path, no query. */
  url: string;
  /** 0 when no answer came (timeout, refused, reset). */
  status: number;
  /** `error` or `error_description`-free summary: the OAuth `error`, `ok`, or why none came. */
  outcome: string;
  ms: number;
}

export interface ProbeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as a JSON object, when it is one. */
  json: Record<string, unknown> | undefined;
}

/** Why the probe stopped early: the budget, the server's request to back off, or silence. */
export class ProbeStop extends Error {
  readonly reason: 'budget' | 'rate-limited' | 'unreachable';
  constructor(reason: ProbeStop['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface PoliteClientOptions {
  maxRequests: number;
  timeoutMs: number;
  /** CAs for https, when not Node's default. */
  ca: string[] | undefined;
}

/** An answer body larger than this is cut (metadata and token answers are small). */
const MAX_ANSWER_BYTES = 1024 * 1024;

export class PoliteClient {
  readonly log: ProbeRequestLog[] = [];
  readonly #options: PoliteClientOptions;
  #stopped: ProbeStop | undefined;

  constructor(options: PoliteClientOptions) {
    this.#options = options;
  }

  get made(): number {
    return this.log.length;
  }

  get remaining(): number {
    return this.#options.maxRequests - this.log.length;
  }

  get stopped(): ProbeStop | undefined {
    return this.#stopped;
  }

  /** GET, or POST of a form. Throws `ProbeStop` instead of sending when it must not. */
  async send(
    step: string,
    method: 'GET' | 'POST',
    url: URL,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<ProbeAnswer> {
    if (this.#stopped) throw this.#stopped;
    if (this.log.length >= this.#options.maxRequests) {
      this.#stopped = new ProbeStop(
        'budget',
        `stopped at --max-requests ${this.#options.maxRequests}: ${step} was not sent`,
      );
      throw this.#stopped;
    }
    const entry: ProbeRequestLog = {
      n: this.log.length + 1,
      step,
      method,
      url: `${url.origin}${url.pathname}`,
      status: 0,
      outcome: 'no answer',
      ms: 0,
    };
    this.log.push(entry);
    const started = performance.now();
    try {
      const answer = await this.#request(method, url, form, headers);
      entry.status = answer.status;
      const error = typeof answer.json?.error === 'string' ? answer.json.error : undefined;
      entry.outcome = error ?? (answer.status < 400 ? 'ok' : `HTTP ${answer.status}`);
      const retryAfter = answer.headers['retry-after'];
      if (answer.status === 429 || retryAfter !== undefined) {
        this.#stopped = new ProbeStop(
          'rate-limited',
          `the server asked the probe to back off (HTTP ${answer.status}${retryAfter !== undefined ? `, Retry-After: ${String(retryAfter).slice(0, 40)}` : ''}) at ${step}: stopped there`,
        );
      }
      return answer;
    } catch (error) {
      entry.outcome = reasonOf(error);
      throw new ProbeStop('unreachable', `${step}: ${entry.url}: ${entry.outcome}`);
    } finally {
      entry.ms = Math.round(performance.now() - started);
    }
  }

  #request(
    method: string,
    url: URL,
    form: Record<string, string> | undefined,
    extra: Record<string, string>,
  ): Promise<ProbeAnswer> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'devicebound-probe',
      ...extra,
      ...(body !== undefined && {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
      }),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const { timeoutMs, ca } = this.#options;
    return new Promise((resolve, reject) => {
      const outgoing = send(url, {
        method,
        headers,
        agent: false,
        timeout: timeoutMs,
        ...(ca && { ca }),
      });
      // The whole exchange, answer included, within the timeout: a server that sends headers
      // and then nothing is as silent as one that sends nothing.
      const timer = setTimeout(
        () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        response.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            const parsed: unknown = JSON.parse(text);
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
              json = parsed as Record<string, unknown>;
          } catch {
            // not JSON
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
      });
      outgoing.end(body);
    });
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
