import type { RootName } from './model.ts';

/**
 * How a person reads where a file of the evidence is: `~/.config/x` in the sandbox HOME,
 * `$XDG_CONFIG_HOME/x` in another sandbox folder, `./x` in the working directory.
 */
export function displayPath(root: RootName, path: string): string {
  if (root === 'HOME') return `~/${path}`;
  if (root === 'cwd') return `./${path}`;
  return `$${root}/${path}`;
}
