// The etag retry loop: read, change, write back if nobody wrote meanwhile, else read again.
import { TooManyConflictsError } from '../domain/errors';

/** What a step answers when its conditional write lost to a concurrent one. */
export const CONFLICT = Symbol('conflict');

/** How many times a conditional write is tried before giving up. */
const CONFLICT_RETRIES = 5;

/**
 * Runs `step` until it answers anything but CONFLICT, at most CONFLICT_RETRIES times (each try reads the
 * document again, so no wait is needed between them); then throws TooManyConflictsError naming `what`.
 */
export async function retryOnConflict<T>(what: string, step: () => Promise<T | typeof CONFLICT>): Promise<T> {
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    const result = await step();
    if (result !== CONFLICT) return result;
  }
  throw new TooManyConflictsError(what);
}
