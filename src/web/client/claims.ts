// What the page shows about the signed-in user, read from the access token's payload. The token is not
// verified here (the API does that); this is for display and for noticing expiry. No DOM here.

export interface TokenClaims {
  /** Display name: `name`, else `preferred_username`, else the user id. */
  name: string;
  tenantId: string | undefined;
  roles: string[];
  /** Expiry, seconds since the epoch, when the token says. */
  expiresAt: number | undefined;
}

function decodeSegment(segment: string): unknown {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The claims of a JWT, or undefined when `token` does not look like one. */
export function readClaims(token: string): TokenClaims | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  let payload: unknown;
  try {
    payload = decodeSegment(parts[1]);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const claims = payload as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof claims[key] === 'string' && claims[key] !== '' ? claims[key] : undefined;
  return {
    name: text('name') ?? text('preferred_username') ?? text('oid') ?? text('sub') ?? 'signed-in user',
    tenantId: text('tid'),
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
  };
}

/** True when the token's `exp` is less than `skewSeconds` away (or past). */
export function isExpired(claims: TokenClaims, nowMs = Date.now(), skewSeconds = 30): boolean {
  return claims.expiresAt !== undefined && claims.expiresAt * 1000 <= nowMs + skewSeconds * 1000;
}
