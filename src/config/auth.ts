// Who may call the API, and how the web page signs its user in: bearer token verification (AUTH_*) and
// the page's Microsoft Entra ID sign-in (WEB_AUTH_*), whose defaults come from the API's issuer and
// audience.
import { z } from 'zod';
import { nonEmpty } from './env';

/** Bearer token verification. */
export const auth = z
  .object({
    AUTH_ISSUER: nonEmpty,
    AUTH_AUDIENCE: nonEmpty,
    AUTH_JWKS_URI: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    AUTH_DEV_JWKS_PATH: nonEmpty.optional(),
    AUTH_REQUIRED_SCOPE: z
      .string()
      .trim()
      .regex(
        /^[\x21\x23-\x5B\x5D-\x7E]+$/,
        'must be one scope name (visible ASCII, no spaces, quotes or backslashes)',
      )
      .refine(
        (scope) => !scope.includes('://'),
        'must be the scope name as the token carries it in scp (e.g. Reports.Export), not its full URI',
      )
      .optional(),
    WEBSITE_SITE_NAME: z.string().optional(),
  })
  .transform((s, ctx) => {
    if (!s.AUTH_JWKS_URI && !s.AUTH_DEV_JWKS_PATH) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWKS_URI'],
        message: 'is required (or AUTH_DEV_JWKS_PATH for local development)',
      });
    }
    if (s.AUTH_DEV_JWKS_PATH && s.WEBSITE_SITE_NAME) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_DEV_JWKS_PATH'],
        message: 'the local development key is never trusted in Azure; remove it',
      });
    }
    return {
      issuer: s.AUTH_ISSUER,
      audience: s.AUTH_AUDIENCE,
      /** Remote JWKS (Microsoft Entra ID in Azure). */
      ...(s.AUTH_JWKS_URI ? { jwksUri: s.AUTH_JWKS_URI } : {}),
      /** A local JWKS file holding the development signing key's public half; refused when running in Azure. */
      ...(s.AUTH_DEV_JWKS_PATH ? { devJwksPath: s.AUTH_DEV_JWKS_PATH } : {}),
      /**
       * The scope every caller needs: a delegated scope in `scp` or an app role (application permission) of
       * the same name in `roles`. Unset: any valid token is enough.
       */
      ...(s.AUTH_REQUIRED_SCOPE ? { requiredScope: s.AUTH_REQUIRED_SCOPE } : {}),
    };
  });

/**
 * The web page served at /api/web, and its Microsoft Entra ID sign-in (MSAL for browsers, authorization
 * code flow with PKCE), on when WEB_AUTH_CLIENT_ID is set; without it the page only takes a pasted bearer
 * token. The authority defaults to the tenant of a v2.0 AUTH_ISSUER
 * (`https://login.microsoftonline.com/<tid>/v2.0`), the scope to `<AUTH_AUDIENCE>/.default`, so the
 * page's tokens are the ones the API verifies. It reads AUTH_ISSUER and AUTH_AUDIENCE for those defaults
 * (a problem with either is reported once, as the auth section's).
 */
export const web = z
  .object({
    AUTH_ISSUER: nonEmpty,
    AUTH_AUDIENCE: nonEmpty,
    WEB_AUTH_CLIENT_ID: nonEmpty.optional(),
    WEB_AUTH_AUTHORITY: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
    WEB_AUTH_SCOPE: nonEmpty.optional(),
  })
  .transform((s, ctx) => {
    const problem = (name: string, message: string): void =>
      ctx.addIssue({ code: 'custom', path: [name], message });
    if (!s.WEB_AUTH_CLIENT_ID) {
      for (const name of ['WEB_AUTH_AUTHORITY', 'WEB_AUTH_SCOPE'] as const) {
        if (s[name]) problem(name, 'only applies with WEB_AUTH_CLIENT_ID; set that too, or remove it');
      }
    }
    const authority = s.WEB_AUTH_AUTHORITY ?? (/\/v2\.0\/?$/.test(s.AUTH_ISSUER) ? s.AUTH_ISSUER : undefined);
    if (s.WEB_AUTH_CLIENT_ID && !authority) {
      problem('WEB_AUTH_AUTHORITY', 'is required when AUTH_ISSUER is not an Entra ID v2.0 issuer');
    }
    const entra =
      s.WEB_AUTH_CLIENT_ID && authority
        ? {
            /** Application (client) id of the page's single-page-application registration. */
            clientId: s.WEB_AUTH_CLIENT_ID,
            /** e.g. `https://login.microsoftonline.com/<tenant id>`. */
            authority: authority.replace(/\/v2\.0\/?$/, '').replace(/\/+$/, ''),
            /** The scope the page asks for; its access tokens must carry the API's audience. */
            scope: s.WEB_AUTH_SCOPE ?? `${s.AUTH_AUDIENCE.replace(/\/+$/, '')}/.default`,
          }
        : undefined;
    /** Entra ID sign-in; when absent the page only takes a pasted bearer token. */
    return { ...(entra ? { entra } : {}) };
  });
