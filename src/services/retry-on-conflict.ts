// The etag retry loop: read, change, write back if nobody wrote meanwhile, else read again.

/** What a step answers when its conditional write lost to a concurrent one. */
export const CONFLICT = Symbol('conflict');

/** How many times a conditional write is tried before giving up. */
const CONFLICT_RETRIES = 5;

export class TooManyConflictsError extends Error {
  constructor(what: string) {
    super(`${what}: too many concurrent changes`);
    this.name = 'TooManyConflictsError';
  }
}

export interface ConflictRetries {
  /** Tries at most. */
  retries: number;
  /** Milliseconds to wait before try `attempt` (1 = the first retry); none unless told. */
  delayMs?: (attempt: number) => number;
}

/**
 * For a document many writers update at about the same moment (the chunks of one report finishing
 * together): more tries, spread out with random waits so that they stop colliding.
 */
export const CONTENDED: ConflictRetries = {
  retries: 40,
  delayMs: (attempt) => Math.random() * Math.min(10 * attempt, 200),
};

/**
 * Runs `step` until it answers anything but CONFLICT, at most `retries` times; then throws
 * TooManyConflictsError naming `what`.
 */
export async function retryOnConflict<T>(
  what: string,
  step: () => Promise<T | typeof CONFLICT>,
  options: ConflictRetries = { retries: CONFLICT_RETRIES },
): Promise<T> {
  for (let attempt = 0; attempt < options.retries; attempt++) {
    const wait = attempt > 0 ? (options.delayMs?.(attempt) ?? 0) : 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const result = await step();
    if (result !== CONFLICT) return result;
  }
  throw new TooManyConflictsError(what);
}
