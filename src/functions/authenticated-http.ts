// HTTP functions for authenticated callers: the bearer token is checked first (src/http/authenticate.ts),
// and the whole function runs inside the HTTP boundary (src/http/boundary.ts), so its errors become
// problems and its answers carry the correlation id.
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getServices } from '../composition';
import type { Principal } from '../domain/principal';
import { authenticate } from '../http/authenticate';
import { guardHttp } from '../http/boundary';
import { defineHttp, type FunctionDefinition } from './definition';

export type AuthenticatedHandler = (
  request: HttpRequest,
  principal: Principal,
  context: InvocationContext,
  correlationId: string,
) => Promise<HttpResponseInit>;

/**
 * An HTTP function that only runs for a caller with a valid bearer token (a 401 or 403 problem otherwise).
 * The handler gets the request's correlation id; every response carries it in `x-correlation-id`, and
 * whatever the handler throws is answered by the boundary (503 for an outage, else 500).
 */
export function defineAuthenticatedHttp(
  name: string,
  options: { route: string; methods: HttpMethod[]; handler: AuthenticatedHandler },
): FunctionDefinition {
  return defineHttp(name, {
    route: options.route,
    methods: options.methods,
    authLevel: 'anonymous', // the app authenticates every caller itself
    handler: guardHttp(async (request, context, correlationId) => {
      const auth = await authenticate(request, (header) => getServices().verifyToken(header));
      return auth.ok ? options.handler(request, auth.principal, context, correlationId) : auth.response;
    }),
  });
}
