// Small HTTP helpers shared by the tests that talk to a real lab over real HTTP.
import { afterEach, type TestContext } from 'vitest';
import { type Lab, type LabOptions, startLab } from '../src/lab/index.ts';

/**
 * For files whose tests run concurrently, each with its own lab: returns `start(context,
 * options)` (interval 1 s unless given) and closes each test's lab after it.
 */
export function labPerTest(): (context: TestContext, options: LabOptions) => Promise<Lab> {
  const labs = new Map<string, Lab>();
  afterEach(async (context) => {
    await labs.get(context.task.id)?.close();
    labs.delete(context.task.id);
  });
  return async (context, options) => {
    const lab = await startLab({ interval: 1, ...options });
    labs.set(context.task.id, lab);
    return lab;
  };
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** POSTs an `application/x-www-form-urlencoded` body and parses the JSON answer. */
export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceAuthorizationAnswer {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** Starts a device authorization at a lab and returns its answer. */
export async function authorizeDevice(
  issuer: string,
  clientId: string,
  scope = 'openid read',
): Promise<DeviceAuthorizationAnswer> {
  const answer = await postForm(`${issuer}/device_authorization`, { client_id: clientId, scope });
  if (answer.status !== 200) throw new Error(`device authorization failed: ${answer.status}`);
  return answer.body as unknown as DeviceAuthorizationAnswer;
}

/** One device_code poll of the token endpoint. */
export function pollToken(
  issuer: string,
  clientId: string,
  deviceCode: string,
): Promise<JsonAnswer> {
  return postForm(`${issuer}/token`, {
    grant_type: DEVICE_CODE_GRANT,
    client_id: clientId,
    device_code: deviceCode,
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
