#!/usr/bin/env node
// Node caches the compiled code of the modules below between runs (Node ≥ 22.1), which cuts
// start-up time; older Node versions simply skip it.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/cli/run.js');
