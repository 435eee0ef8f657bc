// A devicebound lab in its own process, for the benchmarks. Started by bench/lib/children.ts.
// Nothing is ever approved and polls are never answered slow_down, so every poll of a live
// device_code is answered authorization_pending. The trace stays on, as users run it.
import { type LabEvent, startLab } from '../../src/lab/index.ts';
import { failStart, memoryStats, serveCommands } from './child.ts';

try {
  const lab = await startLab({
    interval: 5,
    // Long enough that no device_code expires during a benchmark.
    expiresIn: 3600,
    approveAfter: null,
    enforceInterval: false,
  });
  process.on('SIGTERM', () => {
    void lab.close().finally(() => process.exit(0));
  });

  serveCommands({ issuer: lab.issuer, clientId: lab.clientId }, async (command) => {
    switch (command.type) {
      case 'stats':
        return {
          id: command.id,
          type: 'stats',
          ...(await memoryStats()),
          traceEvents: lab.trace.events.length,
        };
      case 'drop-trace':
        // Measurement only: the trace has no API to forget events, so empty its array to see
        // how much memory the events held.
        (lab.trace.events as LabEvent[]).length = 0;
        return { id: command.id, type: 'done' };
    }
  });
} catch (error) {
  failStart(error);
}
