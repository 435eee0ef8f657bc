import { readFileSync } from 'node:fs';

/** Names the owner of a file by uid. Injectable, so that tests need no particular passwd. */
export interface OwnerLookup {
  name(uid: number): string;
}

/** Names a uid from /etc/passwd (read once); `uid 1001` when it has no entry. */
export class OwnerNames implements OwnerLookup {
  #names: Map<number, string> | undefined;

  name(uid: number): string {
    this.#names ??= readPasswd();
    return this.#names.get(uid) ?? `uid ${uid}`;
  }
}

function readPasswd(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
    }
  } catch {
    // No passwd file (containers, Windows): uids are shown as numbers.
  }
  return names;
}
