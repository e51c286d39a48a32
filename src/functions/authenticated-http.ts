// HTTP functions for authenticated callers: the bearer token is checked first (src/http/authenticate.ts),
// and the whole function runs inside the HTTP boundary (src/http/boundary.ts), so its errors become
// problems and its answers carry the correlation id; an HTTP span (src/telemetry/tracing.ts) wraps it.
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Services } from '../services';
import type { Principal } from '../domain/principal';
import { authenticate } from '../http/authenticate';
import { guardHttp } from '../http/boundary';
import { inHttpSpan } from '../telemetry/tracing';
import { defineHttp, type FunctionDefinition } from './definition';

export type AuthenticatedHandler = (
  request: HttpRequest,
  principal: Principal,
  context: InvocationContext,
  correlationId: string,
) => Promise<HttpResponseInit>;

/** The answer to a HEAD request: the GET answer's status and headers, without its body. */
function withoutBody(response: HttpResponseInit): HttpResponseInit {
  const rest = { ...response };
  delete rest.body;
  delete rest.jsonBody;
  return rest;
}

/**
 * An HTTP function that only runs for a caller with a valid bearer token (a 401 or 403 problem otherwise).
 * The handler gets the request's correlation id; every response carries it in `x-correlation-id`, and
 * whatever the handler throws is answered by the boundary (503 for an outage, else 500). A HEAD request
 * (where the route allows it) gets the answer a GET would, without the body.
 */
export interface AuthenticatedHttpOptions {
  route: string;
  methods: HttpMethod[];
  verifyToken: Services['verifyToken'];
  handler: AuthenticatedHandler;
}

export function defineAuthenticatedHttp(name: string, options: AuthenticatedHttpOptions): FunctionDefinition {
  const guarded = guardHttp(async (request, context, correlationId) => {
    const auth = await authenticate(request, options.verifyToken);
    const response = auth.ok
      ? await options.handler(request, auth.principal, context, correlationId)
      : auth.response;
    return request.method === 'HEAD' ? withoutBody(response) : response;
  });
  return defineHttp(name, {
    route: options.route,
    methods: options.methods,
    authLevel: 'anonymous', // the app authenticates every caller itself
    // The span wraps the boundary, so it sees the answer the caller gets (a 503 or 500 included).
    handler: (request, context) =>
      inHttpSpan(request, options.route, context.traceContext?.traceParent ?? undefined, () =>
        guarded(request, context),
      ),
  });
}
