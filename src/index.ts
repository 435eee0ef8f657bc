export { DeviceboundError, HarnessError, UsageError } from './errors.ts';
export { type Fingerprint, fingerprint, preview, Secret } from './evidence/secret.ts';
export type { LabOptions, ScenarioName } from './lab/index.ts';
export { type Lab, SCENARIOS, startLab } from './lab/index.ts';
