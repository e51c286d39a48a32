// Which failures are worth retrying. Transient: the service was throttled, unavailable or unreachable
// for a moment (429, 408, 5xx, timeouts, dropped connections); a retry later may well succeed.
// Everything else (bad data, a bug, a 4xx) fails the same way again. Duck-typed: the Azure SDK errors
// (Cosmos ErrorResponse, RestError, ServiceBusError) and Node's system errors all carry these fields.

import { DependencyError, DependencyUnavailableError } from '../domain/errors';

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

export function isTransient(error: unknown, depth = 0): boolean {
  if (error instanceof DependencyUnavailableError) return true;
  if (error instanceof DependencyError) return false;
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  if (errorField(error, 'retryable') === true) return true; // ServiceBusError
  for (const name of ['statusCode', 'code', 'status']) {
    const value = errorField(error, name);
    if (typeof value === 'number' && TRANSIENT_STATUS.has(value)) return true;
    if (typeof value === 'string' && TRANSIENT_CODES.has(value)) return true;
  }
  if (errorField(error, 'name') === 'TimeoutError') return true;
  return isTransient(errorField(error, 'cause'), depth + 1);
}
