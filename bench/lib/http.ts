// A small HTTP client for setting up and checking benchmarks (not for load: that is autocannon).
// It uses its own keep-alive agent so its connections can be closed before a measurement.
import { Agent, request } from 'node:http';

export interface FormAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class BenchClient {
  readonly #agent: Agent;

  constructor(maxSockets = 50) {
    this.#agent = new Agent({ keepAlive: true, maxSockets });
  }

  async getJson(url: string): Promise<Record<string, unknown>> {
    const answer = await this.#send(url, 'GET');
    if (answer.status !== 200) throw new Error(`GET ${url} answered HTTP ${answer.status}`);
    return answer.body;
  }

  /** POSTs an application/x-www-form-urlencoded body and parses the JSON answer. */
  postForm(url: string, form: Record<string, string>): Promise<FormAnswer> {
    return this.#send(url, 'POST', new URLSearchParams(form).toString());
  }

  /** Closes every connection this client holds. */
  close(): void {
    this.#agent.destroy();
  }

  #send(url: string, method: 'GET' | 'POST', body?: string): Promise<FormAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: 'application/json' };
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = request(url, { method, headers, agent: this.#agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(text) as Record<string, unknown>,
            });
          } catch {
            reject(
              new Error(
                `${method} ${url} answered HTTP ${res.statusCode} with non-JSON: ${text.slice(0, 200)}`,
              ),
            );
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at a time, results in order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** The endpoints of a server, from its discovery document. */
export async function discover(
  client: BenchClient,
  issuer: string,
): Promise<{ deviceAuthorizationEndpoint: string; tokenEndpoint: string }> {
  const metadata = await client.getJson(`${issuer}/.well-known/openid-configuration`);
  const deviceAuthorizationEndpoint = metadata.device_authorization_endpoint;
  const tokenEndpoint = metadata.token_endpoint;
  if (typeof deviceAuthorizationEndpoint !== 'string' || typeof tokenEndpoint !== 'string') {
    throw new Error(`${issuer} advertises no device_authorization_endpoint or token_endpoint`);
  }
  return { deviceAuthorizationEndpoint, tokenEndpoint };
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Starts `count` device authorizations and returns their device codes. */
export async function authorizeDevices(
  client: BenchClient,
  endpoint: string,
  clientId: string,
  count: number,
  concurrency: number,
): Promise<string[]> {
  return inParallel(count, concurrency, async () => {
    const answer = await client.postForm(endpoint, { client_id: clientId, scope: 'openid' });
    const code = answer.body.device_code;
    if (answer.status !== 200 || typeof code !== 'string') {
      throw new Error(
        `device authorization at ${endpoint} failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    return code;
  });
}

/**
 * Polls each device code once and fails loudly unless every answer is HTTP 400
 * `authorization_pending`: the answer the benchmark means to measure.
 */
export async function expectPending(
  client: BenchClient,
  server: string,
  tokenEndpoint: string,
  clientId: string,
  deviceCodes: readonly string[],
): Promise<void> {
  const answers = await inParallel(deviceCodes.length, 10, (i) =>
    client.postForm(tokenEndpoint, {
      grant_type: DEVICE_CODE_GRANT,
      client_id: clientId,
      device_code: deviceCodes[i] ?? '',
    }),
  );
  const wrong = answers.filter((a) => a.status !== 400 || a.body.error !== 'authorization_pending');
  if (wrong.length > 0) {
    throw new Error(
      `${server}: ${wrong.length} of ${answers.length} polls were not answered HTTP 400 authorization_pending, e.g. HTTP ${wrong[0]?.status} ${JSON.stringify(wrong[0]?.body)}`,
    );
  }
}
