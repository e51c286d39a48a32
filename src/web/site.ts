// The web page's server side: its built files (Vite output of ./client, see `npm run build:web`), the
// small JSON configuration the page starts from, and the security headers of every response.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { HttpResponseInit } from '@azure/functions';
import type { WebConfig } from '../config';
import { notFound, problemResponse } from '../http/problem';
import type { PageConfig } from './page-config';

/** Where the built page lives: next to this module in dist/, or dist/ of the checkout when run from src/. */
const STATIC_DIRS = [join(__dirname, 'static'), resolve(__dirname, '../../dist/src/web/static')];

export function findStaticDir(): string | undefined {
  return STATIC_DIRS.find((dir) => existsSync(join(dir, 'index.html')));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface SiteOptions {
  web: WebConfig;
  /** The API trusts the local development signing key. */
  devTokens: boolean;
  /** Running in Azure: with Entra sign-in configured, the page offers no token box. */
  runningInAzure: boolean;
  /** The built page; undefined when it was not built. */
  staticDir: string | undefined;
}

export function pageConfig(options: SiteOptions): PageConfig {
  const entra = options.web.entra ?? null;
  return {
    entra: entra && { clientId: entra.clientId, authority: entra.authority, scope: entra.scope },
    tokenSignIn: !(entra && options.runningInAzure),
    devTokens: options.devTokens,
  };
}

/**
 * Headers on every response of the page. Scripts and styles only from this origin (the build has no
 * inline script or style); the API and, with Entra sign-in, its authority are the only places fetched.
 * Downloads are top-level navigations to the SAS link, which `connect-src` does not govern.
 */
export function securityHeaders(web: WebConfig): Record<string, string> {
  const connect = ["'self'"];
  if (web.entra) connect.push(new URL(web.entra.authority).origin);
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** Built asset names: Vite puts content-hashed files in assets/. */
const ASSET_PATH = /^assets\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** Answers `GET /api/web/{path}`: the page (empty path), `config.json`, or a built asset. */
export async function serveSite(path: string, options: SiteOptions): Promise<HttpResponseInit> {
  const headers = securityHeaders(options.web);
  const cleaned = path.replace(/^\/+|\/+$/g, '');
  if (cleaned === 'config.json') {
    return {
      status: 200,
      jsonBody: pageConfig(options),
      headers: { ...headers, 'Cache-Control': 'no-store' },
    };
  }
  const file = cleaned === '' || cleaned === 'index.html' ? 'index.html' : cleaned;
  if (file !== 'index.html' && (!ASSET_PATH.test(file) || file.includes('..'))) {
    return withHeaders(notFound('No such file.'), headers);
  }
  if (!options.staticDir) {
    return withHeaders(
      problemResponse({
        type: 'https://report-exports.dev/problems/not-built',
        title: 'The web page is not built.',
        status: 503,
        detail: 'Run `npm run build` (or `npm run build:web`) to build it.',
      }),
      headers,
    );
  }
  let body: Buffer;
  try {
    body = await readFile(join(options.staticDir, file));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT')
      return withHeaders(notFound('No such file.'), headers);
    throw error;
  }
  return {
    status: 200,
    body,
    headers: {
      ...headers,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      // The page names its assets by content hash, so they never change; the page itself is revalidated.
      'Cache-Control': file === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
    },
  };
}

function withHeaders(response: HttpResponseInit, headers: Record<string, string>): HttpResponseInit {
  return { ...response, headers: { ...headers, ...(response.headers as Record<string, string>) } };
}
