// Microsoft Entra ID sign-in with MSAL for browsers (authorization code flow with PKCE, redirects only).
// Loaded on demand, only when the app is configured for it, so the page stays small otherwise.
import {
  CacheLookupPolicy,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
} from '@azure/msal-browser';
import type { PageConfig } from '../page-config';

export interface EntraSignIn {
  /** The signed-in account after a redirect back (or from this tab's session), else null. */
  readonly account: AccountInfo | null;
  signIn(): Promise<void>;
  /** An access token for the API; redirects to sign in again when the session cannot be renewed silently. */
  token(): Promise<string>;
  signOut(): Promise<void>;
}

/** The page is navigating to the sign-in page: the call that wanted a token never completes. */
const leaving = (): Promise<never> => new Promise<never>(() => undefined);

export async function startEntra(settings: NonNullable<PageConfig['entra']>): Promise<EntraSignIn> {
  const pageUrl = `${window.location.origin}${window.location.pathname}`;
  const msal = new PublicClientApplication({
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      redirectUri: pageUrl,
      postLogoutRedirectUri: pageUrl,
    },
    // Tokens live as long as the tab, like a pasted token.
    cache: { cacheLocation: 'sessionStorage' },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  const account = result?.account ?? msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;
  if (account) msal.setActiveAccount(account);
  const request = { scopes: [settings.scope] };

  return {
    account,
    signIn: () => msal.loginRedirect(request),
    async token() {
      const active = msal.getActiveAccount();
      if (!active) {
        await msal.loginRedirect(request);
        return leaving();
      }
      try {
        // Cached token or refresh token only: no hidden iframe (the page cannot be framed).
        const { accessToken } = await msal.acquireTokenSilent({
          ...request,
          account: active,
          cacheLookupPolicy: CacheLookupPolicy.AccessTokenAndRefreshToken,
        });
        return accessToken;
      } catch (error) {
        if (error instanceof InteractionRequiredAuthError) {
          await msal.acquireTokenRedirect({ ...request, account: active });
          return leaving();
        }
        throw error;
      }
    },
    signOut: () => msal.logoutRedirect({ account: msal.getActiveAccount() }),
  };
}
