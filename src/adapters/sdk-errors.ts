// Translating the Azure SDKs' errors into the app's own (src/domain/errors.ts): what an adapter throws
// for a failed call. A passing fault (throttled, unavailable or unreachable for a moment: 429, 408, 449,
// 5xx, timeouts, dropped connections) becomes DependencyUnavailableError; any other answer of the
// service DependencyError; errors that are not the SDK's (an abort, a failing row source, the adapter's
// own) pass unchanged. Only adapters look at SDK error codes, and only through this module.
import { RestError } from '@azure/storage-blob';
import { DependencyError, DependencyUnavailableError, type Dependency } from '../domain/errors';

const TRANSIENT_STATUS = new Set([408, 429, 449, 500, 502, 503, 504]);

/** Socket, DNS and HTTP-client error codes: the service could not be reached (Node's and undici's). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TRANSIENT_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  'ServiceBusy',
  'ServiceTimeout',
  'ServiceCommunicationProblem',
  'GeneralError',
  'TimeoutError',
  'REQUEST_SEND_ERROR',
  'ServerBusy',
  'InternalError',
  'OperationTimedOut',
]);

/** A property of an error object, whatever its class. */
export function errorField(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

/**
 * Whether an SDK (or Node system) error is a passing fault. Duck-typed: Cosmos ErrorResponse, RestError,
 * ServiceBusError and Node's system errors all carry these fields; a `cause` is followed a few levels.
 */
export function isTransientSdkError(error: unknown, depth = 0): boolean {
  if (error instanceof DependencyUnavailableError) return true;
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  if (errorField(error, 'retryable') === true) return true; // ServiceBusError
  for (const name of ['statusCode', 'code', 'status']) {
    const value = errorField(error, name);
    if (typeof value === 'number' && TRANSIENT_STATUS.has(value)) return true;
    if (typeof value === 'string' && TRANSIENT_CODES.has(value)) return true;
  }
  if (errorField(error, 'name') === 'TimeoutError') return true;
  return isTransientSdkError(errorField(error, 'cause'), depth + 1);
}

/** The HTTP status of an SDK error (RestError `statusCode`, Cosmos `code`), if it carries one. */
function statusOf(error: object): number | undefined {
  for (const name of ['statusCode', 'code', 'status']) {
    const value = errorField(error, name);
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** Seconds from a Cosmos `retryAfterInMs`, if the service said how long to wait. */
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
  // An abort is the caller's own doing (cancel, lost lease), never the dependency's failure.
  if (errorField(error, 'name') === 'AbortError') return error;
  if (isTransientSdkError(error)) {
    const retryAfterSeconds = retryAfterOf(error);
    return new DependencyUnavailableError(dependency, {
      cause: error,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  if (!isServiceError(error)) return error;
  return new DependencyError(dependency, statusOf(error), { cause: error });
}

function translatingIterable<T>(
  iterable: AsyncIterable<T>,
  translate: (error: unknown) => unknown,
): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        yield* iterable;
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * `port` with every method's failures passed through `translate`: rejected promises, and errors while
 * iterating a returned async iterable. What the adapter wraps its port object in before handing it out.
 */
export function withTranslatedErrors<T extends object>(port: T, translate: (error: unknown) => unknown): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(port)) {
    if (typeof member !== 'function') {
      wrapped[name] = member;
      continue;
    }
    const method = member as (...args: unknown[]) => unknown;
    wrapped[name] = (...args: unknown[]): unknown => {
      let result: unknown;
      try {
        result = method.apply(port, args);
      } catch (error) {
        throw translate(error);
      }
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          throw translate(error);
        });
      }
      return isAsyncIterable(result) ? translatingIterable(result, translate) : result;
    };
  }
  return wrapped as T;
}

/** A Cosmos DB failure as the app's error (the service's answers carry a numeric `code`). */
export const cosmosError = (error: unknown): unknown =>
  translateSdkError(error, 'database', (e) => typeof errorField(e, 'code') === 'number');

/** A Blob Storage failure as the app's error: no raw service text (request ids, XML) goes further. */
export const blobError = (error: unknown): unknown =>
  translateSdkError(error, 'storage', (e) => e instanceof RestError);
