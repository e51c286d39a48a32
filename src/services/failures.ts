// Which failures are worth retrying: those the adapters reported as a dependency being throttled,
// unavailable or unreachable for a moment (DependencyUnavailableError, see src/domain/errors.ts). A retry
// later may well succeed; everything else (bad data, a bug, a refused operation) fails the same way
// again. The adapters decide what counts, from the SDKs' errors; services only look at the class.
import { DependencyUnavailableError } from '../domain/errors';

export function isTransient(error: unknown): boolean {
  return error instanceof DependencyUnavailableError;
}
