import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/** Fine-grained personal access tokens: `github_pat_` + 22 alphanumerics + `_` + 59. */
export const githubFineGrainedPat: Rule = {
  id: 'github-fine-grained-pat',
  description: 'Detects GitHub fine-grained personal access tokens',
  severity: 'high',
  keywords: ['github_pat_'],
  pattern:
    /(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/dg,
  verify: (secret) => looksRandom(secret.slice(11)),
  samples: {
    positive: [
      {
        text: `export GITHUB_TOKEN=${join('github', '_pat_', fake(22), '_', fake(59, 4))}`,
        why: 'a fine-grained PAT exported in a shell history',
      },
    ],
    negative: [
      {
        text: `GITHUB_TOKEN=${join('github', '_pat_', fake(22), '_', fake(30))}`,
        why: 'second part too short',
      },
      {
        text: 'Fine-grained tokens start with github_pat_ (see the docs).',
        why: 'the prefix alone in prose',
      },
    ],
  },
};
