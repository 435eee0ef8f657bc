import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * GitLab's prefixed tokens: personal/project/group access tokens (glpat-), OAuth application
 * secrets (gloas-), deploy (gldt-), runner (glrt-), feed (glft-), CI job (glcbt-), SCIM OAuth
 * (glsoat-), pipeline trigger (glptt-) and incoming mail (glimt-) tokens.
 */
export const gitlabToken: Rule = {
  id: 'gitlab-token',
  description: 'Detects GitLab access, OAuth application, deploy, runner and CI tokens',
  severity: 'high',
  keywords: [
    'glpat-',
    'gloas-',
    'gldt-',
    'glrt-',
    'glft-',
    'glcbt-',
    'glsoat-',
    'glptt-',
    'glimt-',
  ],
  pattern:
    /(?<![A-Za-z0-9_-])(?<secret>gl(?:pat|oas|dt|rt|ft|cbt|soat|ptt|imt)-[0-9A-Za-z_.-]{20,})(?![A-Za-z0-9_-])/dg,
  verify: (secret) => looksRandom(secret.slice(secret.indexOf('-') + 1)),
  samples: {
    positive: [
      {
        text: `PRIVATE-TOKEN: ${join('gl', 'pat-', fake(20))}`,
        why: 'a personal access token in an API header',
      },
      {
        text: `token: ${join('gl', 'pat-', fake(27, 2), '.01.', fake(9))}`,
        why: 'a newer routable access token in glab config',
      },
      {
        text: `secret=${join('gl', 'oas-', 'f0e1d2c3b4a5968778695a4b3c2d1e0f'.repeat(2))}`,
        why: 'an OAuth application secret',
      },
    ],
    negative: [
      { text: 'PRIVATE-TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx', why: 'the documentation placeholder' },
      { text: `token ${join('gl', 'pat-', fake(8))}`, why: 'too short' },
    ],
  },
};
