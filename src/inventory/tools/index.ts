/** Every detector, in report order. A new tool is one file here and one line below. */
import type { Detector } from '../detector.ts';
import { aws } from './aws.ts';
import { azd } from './azd.ts';
import { azureCli } from './azure-cli.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { copilot } from './copilot.ts';
import { databricks } from './databricks.ts';
import { docker } from './docker.ts';
import { gcloud } from './gcloud.ts';
import { gh } from './gh.ts';
import { kubelogin } from './kubelogin.ts';
import { msIdentity } from './ms-identity.ts';
import { npm } from './npm.ts';
import { terraform } from './terraform.ts';
import { vault } from './vault.ts';

export const DETECTORS: readonly Detector[] = [
  azureCli,
  azd,
  msIdentity,
  gh,
  copilot,
  aws,
  gcloud,
  kubelogin,
  databricks,
  vault,
  docker,
  npm,
  terraform,
  codex,
  claude,
];

export const DETECTOR_IDS: readonly string[] = DETECTORS.map((detector) => detector.id);
