// Every route but health authenticates: the bearer token becomes the caller's Principal, or a 401 (no
// valid token) or a 403 (a valid token without the required scope). Every answer of such a route carries
// the request's correlation id.
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { AuthError, InsufficientScopeError, type Principal } from '../auth/verifier';
import { getServices } from '../composition';
import { defineHttp, type FunctionDefinition } from '../functions/definition';
import { forbidden, unauthorized } from './problem';
import { CORRELATION_ID_HEADER, correlationIdOf } from './request';
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

/** `response` with the correlation id header, unless the handler already set one. */
function withCorrelationId(response: HttpResponseInit, correlationId: string): HttpResponseInit {
  const { headers } = response;
  if (headers instanceof Headers || Array.isArray(headers)) {
    const merged = new Headers(headers);
    if (!merged.has(CORRELATION_ID_HEADER)) merged.set(CORRELATION_ID_HEADER, correlationId);
    return { ...response, headers: merged };
  }
  if (Object.keys(headers ?? {}).some((name) => name.toLowerCase() === CORRELATION_ID_HEADER))
    return response;
  return { ...response, headers: { ...headers, [CORRELATION_ID_HEADER]: correlationId } };
}

/**
 * An HTTP function that only runs for a caller with a valid bearer token (a 401 or 403 problem otherwise).
 * The handler gets the request's correlation id; every response carries it in `x-correlation-id`.
 */
export function defineAuthenticatedHttp(
  name: string,
  options: { route: string; methods: HttpMethod[]; handler: AuthenticatedHandler },
): FunctionDefinition {
  return defineHttp(name, {
    route: options.route,
    methods: options.methods,
    authLevel: 'anonymous', // the app authenticates every caller itself
    handler: (request, context) =>
      inHttpSpan(request, options.route, context.traceContext?.traceParent ?? undefined, async () => {
        const correlationId = correlationIdOf(request);
        const auth = await authenticate(request);
        const response = auth.ok
          ? await options.handler(request, auth.principal, context, correlationId)
          : auth.response;
        return withCorrelationId(response, correlationId);
      }),
  });
}
