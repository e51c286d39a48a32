// Every route but health and the web page authenticates: the bearer token becomes the caller's
// Principal, or a 401 (no valid token) or a 403 (a valid token without the required scope).
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { AuthError, InsufficientScopeError } from '../domain/errors';
import type { Principal } from '../domain/principal';
import { forbidden, unauthorized } from './problem';

/** Checks an `Authorization` header: the caller, or an AuthError / InsufficientScopeError. */
export type TokenVerifier = (authorizationHeader: string | null | undefined) => Promise<Principal>;

export type Authenticated = { ok: true; principal: Principal } | { ok: false; response: HttpResponseInit };

export async function authenticate(request: HttpRequest, verifyToken: TokenVerifier): Promise<Authenticated> {
  try {
    return { ok: true, principal: await verifyToken(request.headers.get('authorization')) };
  } catch (error) {
    if (error instanceof InsufficientScopeError) {
      const scope = error.requiredScope;
      const detail = `The token grants neither the ${scope} scope nor the ${scope} app role.`;
      return { ok: false, response: forbidden(detail, { requiredScope: scope }) };
    }
    if (!(error instanceof AuthError)) throw error; // signing keys unavailable: a server fault, not the caller's
    const detail = error.missingCredentials
      ? `A bearer token is required. ${error.hint ?? ''}`.trim()
      : error.detail;
    const response = unauthorized(detail, {
      tokenPresented: !error.missingCredentials,
      description: error.reason,
    });
    return { ok: false, response };
  }
}
