// The page's entry point: reads /api/web/config.json, signs the user in (a pasted bearer token, or
// Microsoft Entra ID when configured), then sets up the export form and the report list.
import type { PageConfig } from '../page-config';
import type { ReportType } from './types';
import { ApiError, createApi } from './api';
import { isExpired, readClaims, type TokenClaims } from './claims';
import { announce, byId } from './dom';
import type { EntraSignIn } from './entra';
import { setUpExportForm } from './export-form';
import { setUpHistory } from './history';
import { setUpWebhooks } from './webhooks';

const TOKEN_KEY = 'report-exports.token';
const ADMIN_ROLE = 'Reports.Admin';

interface Session {
  token(): Promise<string>;
  claims: TokenClaims | undefined;
  signOut(): Promise<void>;
}

/** Aborted on sign-out: every listener and poll of the signed-in page stops with it. */
let signedIn: AbortController | undefined;

const elements = {
  boot: byId('boot-message'),
  signInSection: byId('sign-in'),
  signInMessage: byId('sign-in-message'),
  entraBox: byId('entra-sign-in'),
  entraButton: byId<HTMLButtonElement>('entra-button'),
  tokenForm: byId<HTMLFormElement>('token-form'),
  tokenInput: byId<HTMLTextAreaElement>('token-input'),
  tokenHelp: byId('token-help'),
  tokenError: byId('token-error'),
  app: byId('app'),
  account: byId('account'),
  accountName: byId('account-name'),
  signOut: byId<HTMLButtonElement>('sign-out'),
  historyTitle: byId('history-title'),
};

function readStoredToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeToken(token: string | undefined): void {
  try {
    if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled: the token lives in memory only, for this page load.
  }
}

function tokenSession(token: string, claims: TokenClaims): Session {
  return {
    claims,
    token: () => {
      if (isExpired(claims)) {
        showSignIn('Your token has expired. Get a new one and sign in again.');
        return Promise.reject(new Error('The token has expired.'));
      }
      return Promise.resolve(token);
    },
    signOut: () => {
      showSignIn('You are signed out.');
      return Promise.resolve();
    },
  };
}

function entraSession(client: EntraSignIn): Session {
  return {
    claims: client.account
      ? {
          name: client.account.name ?? client.account.username,
          tenantId: client.account.tenantId,
          roles: client.account.idTokenClaims?.roles ?? [],
          expiresAt: undefined,
        }
      : undefined,
    token: () => client.token(),
    signOut: () => client.signOut(),
  };
}

/** Back to the sign-in form, forgetting the token and everything shown for the previous user. */
function showSignIn(message?: string): void {
  signedIn?.abort();
  signedIn = undefined;
  storeToken(undefined);
  elements.app.hidden = true;
  elements.account.hidden = true;
  elements.signInSection.hidden = false;
  elements.signInMessage.textContent = message ?? '';
  elements.signInMessage.hidden = !message;
  if (message) announce(message);
  if (!elements.tokenForm.hidden) elements.tokenInput.focus();
  else if (!elements.entraBox.hidden) elements.entraButton.focus();
}

async function enter(session: Session): Promise<void> {
  signedIn?.abort();
  const controller = new AbortController();
  signedIn = controller;
  const { signal } = controller;
  const onUnauthorized = (error: ApiError): void => {
    if (!signal.aborted)
      showSignIn(`Your sign-in was not accepted: ${error.problem.detail ?? error.message}`);
  };
  const api = createApi(() => session.token(), onUnauthorized);

  const { body } = await api.get<{ items: ReportType[] }>('/api/report-types');
  if (signal.aborted) return;
  const name = session.claims?.name ?? 'signed-in user';
  const admin = session.claims?.roles.includes(ADMIN_ROLE) ?? false;
  elements.accountName.textContent = session.claims?.tenantId ? `${name} (${session.claims.tenantId})` : name;
  elements.historyTitle.textContent = admin ? "Your organisation's reports" : 'Your reports';
  elements.signInSection.hidden = true;
  elements.account.hidden = false;
  elements.app.hidden = false;
  elements.signOut.onclick = () => void session.signOut();

  const history = setUpHistory({
    api,
    titles: new Map(body.items.map((type) => [type.name, type.title])),
    signal,
  });
  setUpExportForm({
    api,
    types: body.items,
    signal,
    onCreated: (report) => history.add(report),
    onDuplicate: (reportId) => void history.reveal(reportId),
  });
  byId('webhooks').hidden = true;
  const webhooks = admin ? setUpWebhooks({ api, signal }) : undefined;
  byId('new-export-title').focus();
  await Promise.all([history.reload(), webhooks?.reload()]);
  announce(`Signed in as ${name}.`);
}

function setUpTokenForm(config: PageConfig): void {
  elements.tokenForm.hidden = false;
  elements.tokenHelp.hidden = !config.devTokens;
  elements.tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = elements.tokenInput.value.trim().replace(/^Bearer\s+/i, '');
    const claims = readClaims(token);
    const problem = !claims
      ? 'This is not a bearer token: a token has three parts separated by dots.'
      : isExpired(claims)
        ? 'This token has expired. Get a new one.'
        : undefined;
    elements.tokenError.textContent = problem ?? '';
    elements.tokenError.hidden = !problem;
    if (problem || !claims) {
      elements.tokenInput.setAttribute('aria-invalid', 'true');
      elements.tokenInput.focus();
      return;
    }
    elements.tokenInput.removeAttribute('aria-invalid');
    elements.tokenInput.value = '';
    storeToken(token);
    void enter(tokenSession(token, claims)).catch(failed);
  });
}

function failed(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) return; // already back at sign-in, with the reason
  const message = error instanceof Error ? error.message : String(error);
  showSignIn(`Something went wrong: ${message}`);
}

async function boot(): Promise<void> {
  const response = await fetch('/api/web/config.json', { cache: 'no-store', credentials: 'omit' });
  if (!response.ok) throw new Error(`the page configuration could not be read (${response.status})`);
  const config = (await response.json()) as PageConfig;
  elements.boot.hidden = true;
  if (config.tokenSignIn) setUpTokenForm(config);
  if (config.entra) {
    elements.entraBox.hidden = false;
    const { startEntra } = await import('./entra');
    const client = await startEntra(config.entra);
    elements.entraButton.addEventListener('click', () => void client.signIn());
    if (client.account) return enter(entraSession(client)).catch(failed);
  }
  const stored = readStoredToken();
  const claims = stored ? readClaims(stored) : undefined;
  if (stored && claims && !isExpired(claims)) return enter(tokenSession(stored, claims)).catch(failed);
  showSignIn();
}

boot().catch((error: unknown) => {
  elements.boot.hidden = false;
  elements.boot.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
});
