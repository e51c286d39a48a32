// Every route but health authenticates: the bearer token becomes the caller's Principal, or a 401 (no
// valid token) or a 403 (a valid token without the required scope). Such a route runs inside the HTTP
// boundary (./boundary.ts): its errors become problems, its answers carry the correlation id.
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { AuthError, InsufficientScopeError, type Principal } from '../auth/verifier';
import { getServices } from '../composition';
import { defineHttp, type FunctionDefinition } from '../functions/definition';
import { forbidden, unauthorized } from './problem';
import { guardHttp } from './boundary';
import { inHttpSpan } from '../telemetry/tracing';

export type Authenticated = { ok: true; principal: Principal } | { ok: false; response: HttpResponseInit };

export async function authenticate(request: HttpRequest): Promise<Authenticated> {
  try {
    return { ok: true, principal: await getServices().verifyToken(request.headers.get('authorization')) };
  } catch (error) {
    if (error instanceof InsufficientScopeError) {
      const scope = error.requiredScope;
      const detail = `The token grants neither the ${scope} scope nor the ${scope} app role.`;
      return { ok: false, response: forbidden(detail, { requiredScope: scope }) };
    }
    if (!(error instanceof AuthError)) throw error; // signing keys unavailable: a server fault, not the caller's
    const response = unauthorized(error.missingCredentials ? 'A bearer token is required.' : error.reason, {
      tokenPresented: !error.missingCredentials,
    });
    return { ok: false, response };
  }
}

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
export function defineAuthenticatedHttp(
  name: string,
  options: { route: string; methods: HttpMethod[]; handler: AuthenticatedHandler },
): FunctionDefinition {
  const guarded = guardHttp(async (request, context, correlationId) => {
    const auth = await authenticate(request);
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
