// Which failures are worth retrying: those the adapters reported as a dependency being throttled,
// unavailable or unreachable for a moment (DependencyUnavailableError, see src/domain/errors.ts), and a
// conditional write that kept losing to concurrent writers (TooManyConflictsError). A retry later may
// well succeed; everything else (bad data, a bug, a refused operation) fails the same way again. The
// adapters decide what counts, from the SDKs' errors; services only look at the class. This is the one
// place that decides it: a single pass and a chunk run retry the same errors.
import { DependencyUnavailableError, TooManyConflictsError } from '../domain/errors';

export function isTransient(error: unknown): boolean {
  return error instanceof DependencyUnavailableError || error instanceof TooManyConflictsError;
}
