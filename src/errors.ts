/**
 * One error base class for the whole tool. Every error has a stable `code` and the exit code
 * the CLI uses for it. A secret never goes into an error message: callers pass previews or
 * fingerprints (see `src/evidence/secret.ts`).
 */
export class DeviceboundError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 3;
  }
}

/** A mistake in what the user gave us: flags, a policy file, an input file. Exit code 2. */
export class UsageError extends DeviceboundError {
  /** Where the mistake is, when it is in a file: shown as `file:line: field`. */
  readonly location: { file?: string; line?: number; field?: string } | undefined;

  constructor(
    message: string,
    location?: { file?: string; line?: number; field?: string },
    code = 'usage',
  ) {
    super(code, UsageError.format(message, location), { exitCode: 2 });
    this.location = location;
  }

  private static format(
    message: string,
    location: { file?: string; line?: number; field?: string } | undefined,
  ): string {
    if (!location) return message;
    const where = [location.file, location.line].filter((part) => part !== undefined).join(':');
    const field = location.field ? `${location.field}: ` : '';
    return where ? `${where}: ${field}${message}` : `${field}${message}`;
  }
}

/** The harness itself could not do its job (a port, a child process, the disk). Exit code 3. */
export class HarnessError extends DeviceboundError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { exitCode: 3, cause });
  }
}
