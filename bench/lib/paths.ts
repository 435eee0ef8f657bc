// What the whole-command benchmarks run: the built CLI (`npm run build` first), from the package
// root, and the secretlint baseline from the dev dependencies.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'devicebound.js');
export const SECRETLINT = join(ROOT, 'node_modules', '.bin', 'secretlint');
export const MIB = 1024 * 1024;
