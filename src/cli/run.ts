// The executable entry: `bin/devicebound.js` loads the built copy of this file.
import { main } from './main.ts';

// A reader that goes away (`devicebound check -v | head`) must not kill the run before it has
// stopped its programs and removed its sandboxes: what cannot be written is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv);
