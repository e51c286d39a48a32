// The one place an HTTP function's errors end: whatever a handler throws becomes a problem response here,
// and every response leaves with the request's correlation id and `X-Content-Type-Options: nosniff`.
//
// - A dependency outage (DependencyUnavailableError, which the adapters make of the SDKs' errors) is a
//   503 with `Retry-After`.
// - Anything else is a 500 that says nothing about the error.
// Both carry the correlation id, in the body and the `x-correlation-id` header; the error itself goes to
// the invocation's log with that id, never to the client.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { DependencyUnavailableError } from '../domain/errors';
import { internalError, serviceUnavailable } from './problem';
import { CORRELATION_ID_HEADER, correlationIdOf } from './request';

/** Seconds a client is asked to wait after an outage, unless the dependency said how long. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
const MAX_RETRY_AFTER_SECONDS = 60;

/** Headers every response of the app carries, unless the handler set them itself. */
const DEFAULT_HEADERS = { 'X-Content-Type-Options': 'nosniff' } as const;

type GuardedHandler = (
  request: HttpRequest,
  context: InvocationContext,
  correlationId: string,
) => Promise<HttpResponseInit>;

/** `response` with each of `defaults` added, unless the response already has a header of that name. */
function withDefaultHeaders(response: HttpResponseInit, defaults: Record<string, string>): HttpResponseInit {
  const { headers } = response;
  if (headers instanceof Headers || Array.isArray(headers)) {
    const merged = new Headers(headers);
    for (const [name, value] of Object.entries(defaults)) if (!merged.has(name)) merged.set(name, value);
    return { ...response, headers: merged };
  }
  const present = new Set(Object.keys(headers ?? {}).map((name) => name.toLowerCase()));
  const added = Object.entries(defaults).filter(([name]) => !present.has(name.toLowerCase()));
  return added.length === 0
    ? response
    : { ...response, headers: { ...headers, ...Object.fromEntries(added) } };
}

/** The problem response for an error a handler threw. */
function problemForError(error: unknown, correlationId: string): HttpResponseInit {
  if (error instanceof DependencyUnavailableError) {
    const wait = Math.min(error.retryAfterSeconds ?? OUTAGE_RETRY_AFTER_SECONDS, MAX_RETRY_AFTER_SECONDS);
    return serviceUnavailable(
      `The ${error.dependency} this service depends on is unavailable at the moment; try again later.`,
      correlationId,
      Math.max(wait, 1),
    );
  }
  return internalError(correlationId);
}

/**
 * Wraps an HTTP handler in the boundary: it gets the request's correlation id, its thrown errors become
 * problems (logged once, here), and every response gets the default headers and the correlation id.
 */
export function guardHttp(
  handler: GuardedHandler,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const correlationId = correlationIdOf(request);
    let response: HttpResponseInit;
    try {
      response = await handler(request, context, correlationId);
    } catch (error) {
      response = problemForError(error, correlationId);
      const what = response.status === 503 ? 'a dependency is unavailable' : 'unexpected error';
      context.error(
        `${request.method} ${new URL(request.url).pathname}: ${what} correlationId=${correlationId}`,
        error,
      );
    }
    return withDefaultHeaders(response, { ...DEFAULT_HEADERS, [CORRELATION_ID_HEADER]: correlationId });
  };
}
