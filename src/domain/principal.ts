// The authenticated caller, as the services see it, and the rule its identities follow.

/** The authenticated caller. */
export interface Principal {
  /** Entra tenant (`tid` claim): every data access is scoped to it. */
  tenantId: string;
  /** Object id of the user or service principal (`oid` claim, else `sub`). */
  userId: string;
  /** App roles granted to the caller (`roles` claim). */
  roles: string[];
  /** True when `roles` includes {@link ADMIN_ROLE}. */
  isAdmin: boolean;
}

/** The app role that lets a caller see every report of its tenant. */
export const ADMIN_ROLE = 'Reports.Admin';

/**
 * The characters a tenant or user id may hold: ASCII letters, digits, `-` and `_`, 1 to 128 of them.
 * Entra ID's GUIDs (`tid`, `oid`) and its base64url `sub` values fit, and so do readable local ids such
 * as `contoso` or `alice`. Nothing else does: no `/`, `.`, `%`, `\`, whitespace or control characters,
 * so an identity can never name a path, a query or a different partition than its own.
 */
const IDENTIFIER_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export const isSafeIdentifier = (value: string): boolean => IDENTIFIER_PATTERN.test(value);
