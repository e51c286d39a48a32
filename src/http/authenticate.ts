// Every route but health authenticates: the bearer token becomes the caller's Principal, or a 401.
import type { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { AuthError, type Principal } from '../auth/verifier';
import { getServices } from '../composition';
import { defineHttp, type FunctionDefinition } from '../functions/definition';
import { unauthorized } from './problem';

export type Authenticated = { ok: true; principal: Principal } | { ok: false; response: HttpResponseInit };

export async function authenticate(request: HttpRequest): Promise<Authenticated> {
  try {
    return { ok: true, principal: await getServices().verifyToken(request.headers.get('authorization')) };
  } catch (error) {
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
) => Promise<HttpResponseInit>;

/** An HTTP function that only runs for a caller with a valid bearer token (401 problem otherwise). */
export function defineAuthenticatedHttp(
  name: string,
  options: { route: string; methods: HttpMethod[]; handler: AuthenticatedHandler },
): FunctionDefinition {
  return defineHttp(name, {
    route: options.route,
    methods: options.methods,
    authLevel: 'anonymous', // the app authenticates every caller itself
    handler: async (request, context) => {
      const auth = await authenticate(request);
      return auth.ok ? options.handler(request, auth.principal, context) : auth.response;
    },
  });
}
