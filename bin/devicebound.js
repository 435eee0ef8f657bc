#!/usr/bin/env node
// Checked first, before anything that needs a newer Node is loaded: on an older one the user
// gets one plain sentence and exit 2, not a stack trace from deep inside a module.
const [major] = process.versions.node.split('.').map(Number);
if (!(major >= 22)) {
  process.stderr.write(
    `devicebound needs Node.js 22 or newer; this is ${process.versions.node} (${process.execPath})\n`,
  );
  process.exit(2);
}
// Node caches the compiled code of the modules below between runs (Node ≥ 22.1), which cuts
// start-up time.
const { default: module } = await import('node:module');
module.enableCompileCache?.();
await import('../dist/cli/run.js');
