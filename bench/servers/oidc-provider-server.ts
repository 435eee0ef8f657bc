// oidc-provider (npm) with the device flow enabled, in its own process, for the benchmarks.
// One public client that may only use the device_code grant; the default in-memory adapter.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failStart, memoryStats, serveCommands } from './child.ts';

export const CLIENT_ID = 'devicebound-cli';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// oidc-provider prints development-mode notices (in-memory adapter, development signing keys,
// default device flow pages, …) with console.info/console.warn. They are expected here: drop
// them so they do not look like problems in the benchmark output.
for (const level of ['info', 'warn'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider ')) return;
    original(...args);
  };
}

try {
  const { default: Provider } = await import('oidc-provider');

  // Listen first so the issuer can carry the real port.
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => {
    response.writeHead(503).end();
  };
  const server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        grant_types: [DEVICE_CODE_GRANT],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'none',
      },
    ],
    features: {
      deviceFlow: { enabled: true },
      // Its interaction pages are only for trying it out, and warn when mounted; nothing is
      // approved in the benchmark.
      devInteractions: { enabled: false },
    },
  });
  handler = provider.callback();

  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });

  serveCommands({ issuer, clientId: CLIENT_ID }, async (command) => {
    switch (command.type) {
      case 'stats':
        return { id: command.id, type: 'stats', ...(await memoryStats()) };
      default:
        throw new Error(`oidc-provider server: unsupported command ${command.type}`);
    }
  });
} catch (error) {
  failStart(error);
}
