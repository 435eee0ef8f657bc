/**
 * Every rule, most specific first: when two rules find overlapping text (a JWT that is also an
 * `access_token` value), the earlier rule's finding is kept.
 */
import { anthropicToken } from './anthropic-token.ts';
import { awsSsoToken } from './aws-sso-token.ts';
import { bearerHeader } from './bearer-header.ts';
import { deviceCode } from './device-code.ts';
import { githubFineGrainedPat } from './github-fine-grained-pat.ts';
import { githubToken } from './github-token.ts';
import { gitlabToken } from './gitlab-token.ts';
import { googleAccessToken } from './google-access-token.ts';
import { googleRefreshToken } from './google-refresh-token.ts';
import { jwt } from './jwt.ts';
import { microsoftRefreshToken } from './microsoft-refresh-token.ts';
import { npmToken } from './npm-token.ts';
import { oauthTokenField } from './oauth-token-field.ts';
import { slackToken } from './slack-token.ts';
import type { Rule } from './types.ts';
import { userCode } from './user-code.ts';

export const RULES: readonly Rule[] = [
  anthropicToken,
  githubFineGrainedPat,
  githubToken,
  gitlabToken,
  slackToken,
  npmToken,
  googleAccessToken,
  googleRefreshToken,
  awsSsoToken,
  microsoftRefreshToken,
  jwt,
  deviceCode,
  oauthTokenField,
  bearerHeader,
  userCode,
];

export type { Rule, RuleMatch, RuleSample } from './types.ts';
