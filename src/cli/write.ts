import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';

/**
 * Writes `content` to `file` whole or not at all (a temporary file, renamed over it), mode 0600.
 * A failure is a usage error naming the file.
 */
export async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UsageError(`cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      file,
    });
  }
}
