import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pageConfig, securityHeaders, serveSite, type SiteOptions } from '../../../src/web/site';

const dir = mkdtempSync(join(tmpdir(), 'web-site-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Report exports</title>');
writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
writeFileSync(join(dir, 'secret.txt'), 'not an asset');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const local: SiteOptions = { web: {}, devTokens: true, runningInAzure: false, staticDir: dir };
const entra = {
  clientId: 'c1',
  authority: 'https://login.microsoftonline.com/tid',
  scope: 'api://x/.default',
};

const headersOf = (response: { headers?: unknown }): Record<string, string> =>
  response.headers as Record<string, string>;

describe('serveSite', () => {
  it('serves the page for an empty path, revalidated, with security headers', async () => {
    const response = await serveSite('', local);
    expect(response.status).toBe(200);
    expect(Buffer.from(response.body as Uint8Array).toString()).toContain('<title>Report exports</title>');
    expect(headersOf(response)).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    expect(headersOf(response)['Content-Security-Policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('serves hashed assets as immutable, with their content type', async () => {
    const response = await serveSite('assets/index-AbC123.js', local);
    expect(response.status).toBe(200);
    expect(headersOf(response)).toMatchObject({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });

  it('answers 404 for anything else, including paths that try to leave the folder', async () => {
    for (const path of [
      'secret.txt',
      'assets/missing.js',
      'assets/../secret.txt',
      '../package.json',
      'assets/..',
    ]) {
      const response = await serveSite(path, local);
      expect(response.status, path).toBe(404);
      expect(headersOf(response)['Content-Type']).toBe('application/problem+json');
      expect(headersOf(response)['X-Content-Type-Options']).toBe('nosniff');
    }
  });

  it('answers 503 naming the build command when the page was not built', async () => {
    const response = await serveSite('', { ...local, staticDir: undefined });
    expect(response.status).toBe(503);
    expect((response.jsonBody as { detail: string }).detail).toContain('npm run build');
  });

  it('serves its configuration uncached', async () => {
    const response = await serveSite('config.json', local);
    expect(response.status).toBe(200);
    expect(headersOf(response)['Cache-Control']).toBe('no-store');
    expect(response.jsonBody).toEqual({ entra: null, tokenSignIn: true, devTokens: true });
  });
});

describe('pageConfig', () => {
  it('offers Entra sign-in when configured, and the token box only outside Azure', () => {
    expect(pageConfig({ ...local, web: { entra }, devTokens: false })).toEqual({
      entra,
      tokenSignIn: true,
      devTokens: false,
    });
    expect(pageConfig({ ...local, web: { entra }, devTokens: false, runningInAzure: true })).toEqual({
      entra,
      tokenSignIn: false,
      devTokens: false,
    });
    expect(pageConfig({ ...local, devTokens: false, runningInAzure: true }).tokenSignIn).toBe(true);
  });
});

describe('securityHeaders', () => {
  it("lets the page reach the Entra authority's origin when sign-in is configured", () => {
    expect(securityHeaders({ entra })['Content-Security-Policy']).toContain(
      "connect-src 'self' https://login.microsoftonline.com;",
    );
  });
});
