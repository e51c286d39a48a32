// What the web page reads from `GET /api/web/config.json` before anything else. Shared by the server
// (./site.ts) and the page (./client), so it imports nothing.

export interface PageConfig {
  /** Microsoft Entra ID sign-in with MSAL, or null when not configured. */
  entra: { clientId: string; authority: string; scope: string } | null;
  /** Whether the page offers a text box for a bearer token. */
  tokenSignIn: boolean;
  /** Whether the API accepts local development tokens (`npm run token`): the page then says how to get one. */
  devTokens: boolean;
}
