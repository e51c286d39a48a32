// Bearer token verification: turns an `Authorization` header into the caller's Principal, or refuses it
// with an AuthError (401) whose reason is safe to put in a `WWW-Authenticate` header, or, for a valid
// token without the API's required scope, with an InsufficientScopeError (403).
//
// `jose` ships as an ECMAScript module only, and this project compiles to CommonJS, so it is loaded with
// a dynamic import (kept as a real `import()` by `module: Node16`) and referenced here for types only.
import { readFile } from 'node:fs/promises';
import type * as JoseModule from 'jose' with { 'resolution-mode': 'import' };
import type { JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import type { AuthConfig } from '../config';
import { AuthError, InsufficientScopeError } from '../domain/errors';
import { ADMIN_ROLE, isSafeIdentifier, type Principal } from '../domain/principal';

export { ADMIN_ROLE, type Principal } from '../domain/principal';

/** Signing algorithms accepted on tokens (Entra ID signs with RS256; the local development key is ES256). */
const ALLOWED_ALGORITHMS: readonly string[] = ['RS256', 'ES256'];

/** Leeway, in seconds, for clock skew when checking `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * Whether a token grants `scope`: as a delegated scope (`scopes`, from `scp`) or as an app role of that
 * name (`roles`: an application permission of a daemon, or a role assigned to the user).
 */
export function grantsScope(
  grants: { scopes: readonly string[]; roles: readonly string[] },
  scope: string,
): boolean {
  return grants.scopes.includes(scope) || grants.roles.includes(scope);
}

type Jose = typeof JoseModule;

let josePromise: Promise<Jose> | undefined;

function loadJose(): Promise<Jose> {
  josePromise ??= import('jose');
  return josePromise;
}

// RFC 6750 b64token; a compact JWS is three base64url segments separated by dots.
const BEARER_HEADER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i;

function extractBearerToken(authorizationHeader: string | null | undefined): string {
  const header = authorizationHeader?.trim() ?? '';
  if (header === '') throw new AuthError('missing Authorization header', { missingCredentials: true });
  if (!/^Bearer(\s|$)/i.test(header)) throw new AuthError('Authorization header must use the Bearer scheme');
  const token = BEARER_HEADER.exec(header)?.[1];
  if (token === undefined) throw new AuthError('malformed bearer token');
  return token;
}

/** Maps jose's verification failures to a reason; undefined for failures that are not the token's fault. */
function reasonFor(error: unknown): string | undefined {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      switch (claim) {
        case 'iss':
          return 'token issuer is not accepted';
        case 'aud':
          return 'token audience is not accepted';
        case 'nbf':
          return 'token is not valid yet';
        case 'exp':
          return 'token has no valid expiry';
        case 'iat':
          return 'token issue time is invalid';
        default:
          return 'token claims are invalid';
      }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'token signature is invalid';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'token is malformed';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'token signing algorithm is not accepted';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'token signing key is not recognised';
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'token signing key is ambiguous';
    default:
      return undefined;
  }
}

function optionalClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new AuthError(`token ${name} claim is invalid`);
  return value;
}

/** An identity claim, which must be a safe identifier (see IDENTIFIER_PATTERN): it names stored data. */
function identityClaim(payload: JWTPayload, name: string): string | undefined {
  const value = optionalClaim(payload, name);
  if (value !== undefined && !isSafeIdentifier(value)) {
    throw new AuthError(`token ${name} claim is not an accepted identifier`);
  }
  return value;
}

function toPrincipal(payload: JWTPayload): Principal {
  const tenantId = identityClaim(payload, 'tid');
  if (tenantId === undefined) throw new AuthError('token has no tid (tenant) claim');
  // A present but unacceptable oid is refused, never passed over for sub.
  const userId = identityClaim(payload, 'oid') ?? identityClaim(payload, 'sub');
  if (userId === undefined) throw new AuthError('token has no oid or sub (user) claim');
  const rolesClaim = payload['roles'] ?? [];
  if (!Array.isArray(rolesClaim) || !rolesClaim.every((role): role is string => typeof role === 'string')) {
    throw new AuthError('token roles claim is invalid');
  }
  const roles = [...new Set(rolesClaim)];
  return { tenantId, userId, roles, isAdmin: roles.includes(ADMIN_ROLE) };
}

/** The delegated scopes of the token (`scp`, space-separated; none for an app-only token). */
function scopesOf(payload: JWTPayload): string[] {
  const claim = payload['scp'] ?? '';
  if (typeof claim !== 'string') throw new AuthError('token scp claim is invalid');
  return claim.split(' ').filter(Boolean);
}

async function loadDevKeySet(path: string): Promise<JWTVerifyGetKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new Error(
      `Development JWKS file ${path} (AUTH_DEV_JWKS_PATH) cannot be read` +
        `${typeof code === 'string' ? ` (${code})` : ''}; \`npm start\` or \`npm run token\` creates it`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`Development JWKS file ${path} (AUTH_DEV_JWKS_PATH) is not valid JSON`, { cause });
  }
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null)) {
    throw new Error(
      `Development JWKS file ${path} (AUTH_DEV_JWKS_PATH) is not a JSON Web Key Set ({"keys": [...]})`,
    );
  }
  const jose = await loadJose();
  try {
    return jose.createLocalJWKSet(json as Parameters<Jose['createLocalJWKSet']>[0]);
  } catch (cause) {
    throw new Error(`Development JWKS file ${path} (AUTH_DEV_JWKS_PATH) is not a valid JSON Web Key Set`, {
      cause,
    });
  }
}

async function loadKeySet(config: AuthConfig): Promise<JWTVerifyGetKey> {
  if (config.jwksUri) {
    const jose = await loadJose();
    return jose.createRemoteJWKSet(new URL(config.jwksUri));
  }
  if (config.devJwksPath) return loadDevKeySet(config.devJwksPath);
  throw new Error('Auth configuration has neither jwksUri nor devJwksPath');
}

/**
 * What a caller refused for `error` can do about it: where a token comes from and what it must be.
 * Locally (a development key set) that is `npm run token`, made with the same local data directory as
 * the running host, since each directory has its own signing key.
 */
function hintFor(error: AuthError, config: AuthConfig): string | undefined {
  const local = config.jwksUri === undefined && config.devJwksPath !== undefined;
  const newToken = local
    ? 'Make one with `npm run token -- --tenant T --user U`, with the same LOCAL_DATA_DIR as `npm start`.'
    : `Get a token issued by ${config.issuer} for ${config.audience}.`;
  if (error.missingCredentials) return `Send \`Authorization: Bearer <token>\`. ${newToken}`;
  if (/signing key|signature/.test(error.reason)) {
    return local
      ? "It was signed with another key than the one in this host's local data directory: make it with `npm run token` with the same LOCAL_DATA_DIR as `npm start`."
      : `It was not signed by a key of ${config.issuer}. ${newToken}`;
  }
  if (/expired|not valid yet|expiry|issue time/.test(error.reason)) return `Get a new token. ${newToken}`;
  if (/issuer|audience/.test(error.reason))
    return `The API accepts tokens issued by ${config.issuer} for ${config.audience}.`;
  return newToken;
}

/**
 * Creates the verifier for `Authorization` headers: a `Bearer` JWT signed with RS256 or ES256 by a key of
 * the configured JWKS, issued by `config.issuer` for `config.audience`, unexpired (with a small clock
 * tolerance) and naming a tenant and a user.
 *
 * Resolves to the Principal, rejects with an AuthError (answer 401) when the token is missing or
 * unacceptable, with an InsufficientScopeError (answer 403) when `config.requiredScope` is set and the
 * valid token grants it neither in `scp` nor in `roles`, and with a plain Error when the signing keys
 * cannot be obtained (a server-side fault: unreadable development JWKS file, unreachable or broken
 * remote JWKS).
 */
export function createTokenVerifier(
  config: AuthConfig,
): (authorizationHeader: string | null | undefined) => Promise<Principal> {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const getKeySet = (): Promise<JWTVerifyGetKey> => {
    // Loaded once, at first use; a failed load is retried by the next request.
    keySet ??= loadKeySet(config).catch((error: unknown) => {
      keySet = undefined;
      throw error;
    });
    return keySet;
  };

  const verify = async (authorizationHeader: string | null | undefined): Promise<Principal> => {
    const token = extractBearerToken(authorizationHeader);
    const [jose, keys] = await Promise.all([loadJose(), getKeySet()]);
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      const reason = reasonFor(error);
      if (reason !== undefined) throw new AuthError(reason, { cause: error });
      throw new Error('Token could not be checked: signing keys unavailable', { cause: error });
    }
    const principal = toPrincipal(payload);
    const scopes = scopesOf(payload);
    if (
      config.requiredScope !== undefined &&
      !grantsScope({ scopes, roles: principal.roles }, config.requiredScope)
    ) {
      throw new InsufficientScopeError(config.requiredScope);
    }
    return principal;
  };

  return async (authorizationHeader) => {
    try {
      return await verify(authorizationHeader);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      throw new AuthError(error.reason, {
        missingCredentials: error.missingCredentials,
        hint: hintFor(error, config),
        ...(error.cause === undefined ? {} : { cause: error.cause }),
      });
    }
  };
}
