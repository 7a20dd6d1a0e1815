/**
 * A failure that retrying cannot fix (bad input, a missing prerequisite that will never appear).
 * Pool workers turn it into BullMQ's UnrecoverableError so the job fails at once and lands in
 * the failed set with its reason, instead of being retried until attempts run out.
 */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Matched by name as well as class, because errors cross realms (sandboxed processors, dist copies). */
export function isPermanentError(error: unknown): boolean {
  if (error instanceof PermanentError) return true;
  if (!(error instanceof Error)) return false;
  return error.name === 'PermanentError' || error.name === 'UnrecoverableError';
}

export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`job did not finish within ${timeoutMs} ms`);
  }
}
