// Translating the Azure SDKs' errors into the app's own (src/domain/errors.ts): what an adapter throws
// for a failed call. A passing fault becomes DependencyUnavailableError, any other answer of the service
// DependencyError; errors that are not the SDK's (an abort, a failing row source) pass unchanged.
import { DependencyError, DependencyUnavailableError, type Dependency } from '../domain/errors';
import { errorField, isTransient } from '../services/failures';

/** The HTTP status of an SDK error (RestError `statusCode`, Cosmos `code`), if it carries one. */
function statusOf(error: object): number | undefined {
  for (const name of ['statusCode', 'code', 'status']) {
    const value = errorField(error, name);
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** Seconds from a `retryAfterInMs` (Cosmos) or a `Retry-After` response header, if any. */
function retryAfterOf(error: object): number | undefined {
  const ms = errorField(error, 'retryAfterInMs') ?? errorField(error, 'retryAfterInMilliseconds');
  if (typeof ms === 'number' && ms > 0) return Math.ceil(ms / 1000);
  return undefined;
}

/**
 * `error` as the app's error for a failed call to `dependency`. `isServiceError` tells the SDK's own
 * errors from the rest (e.g. `error instanceof RestError`); anything else is returned as it is.
 */
export function translateSdkError(
  error: unknown,
  dependency: Dependency,
  isServiceError: (error: object) => boolean,
): unknown {
  if (error instanceof DependencyUnavailableError || error instanceof DependencyError) return error;
  if (typeof error !== 'object' || error === null) return error;
  if (isTransient(error)) {
    const retryAfterSeconds = retryAfterOf(error);
    return new DependencyUnavailableError(dependency, {
      cause: error,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (!isServiceError(error)) return error;
  return new DependencyError(dependency, statusOf(error), { cause: error });
}
