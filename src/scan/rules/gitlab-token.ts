import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * GitLab's prefixed tokens: personal/project/group access tokens (glpat-), OAuth application
 * secrets (gloas-), deploy (gldt-), runner (glrt-, and glrtr- for registration), feed (glft-),
 * CI job (glcbt-), SCIM OAuth (glsoat-), pipeline trigger (glptt-), incoming mail (glimt-),
 * Kubernetes agent (glagent-), workspace (glwt-) and feature-flag client (glffct-) tokens.
 *
 * Sources: the prefixes from GitLab's "Token prefixes" (doc/security/tokens/_index.md,
 * https://docs.gitlab.com/security/tokens/#token-prefixes). Two shapes:
 * - legacy: the prefix and 20 characters of `[A-Za-z0-9_-]` (gitleaks `gitlab-pat`: `[\w-]{20}`);
 * - routable (GitLab 17.x, `routable_token_generator.rb` in gitlabhq; MR 169322): the prefix,
 *   base64url of the routing payload, 16 random bytes and a length byte (no padding), then one
 *   `.`, two base-36 characters (that part's length) and seven (a CRC32): 43 to 316 characters
 *   in all (gitleaks `gitlab-pat-routable` agrees).
 * The pattern takes both and the dot; instance-specific prefixes (`SIE-glpat-…`) are found by
 * their `glpat-` part. GitLab publishes no example token, only `glpat-xxxxxxxxxxxxxxxxxxxx`
 * placeholders, which the verifier rejects.
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
    'glrtr-',
    'glft-',
    'glcbt-',
    'glsoat-',
    'glptt-',
    'glimt-',
    'glagent-',
    'glwt-',
    'glffct-',
  ],
  pattern:
    /(?<![A-Za-z0-9_-])(?<secret>gl(?:pat|oas|dt|rtr?|ft|cbt|soat|ptt|imt|agent|wt|ffct)-[0-9A-Za-z_.-]{20,})(?![A-Za-z0-9_-])/dg,
  verify: (secret) => looksRandom(secret.slice(secret.indexOf('-') + 1)),
  samples: {
    positive: [
      {
        text: `PRIVATE-TOKEN: ${join('gl', 'pat-', fake(20))}`,
        why: 'a personal access token in an API header',
      },
      {
        text: `token: ${join('gl', 'pat-', fake(54, 2), '.01', 'k3m9x2q')}`,
        why: 'a routable access token (one dot, 2 + 7 base-36 characters) in glab config',
      },
      {
        text: `secret=${join('gl', 'oas-', 'f0e1d2c3b4a5968778695a4b3c2d1e0f'.repeat(2))}`,
        why: 'an OAuth application secret',
      },
      {
        text: `token: ${join('gl', 'rtr-', fake(20, 3))}`,
        why: 'a runner registration token (glrtr-)',
      },
    ],
    negative: [
      { text: 'PRIVATE-TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx', why: 'the documentation placeholder' },
      { text: `token ${join('gl', 'pat-', fake(8))}`, why: 'too short' },
    ],
  },
};
