// The API reference page (`GET /api/docs`): Swagger UI, served from its npm package with the app (no CDN),
// rendering the OpenAPI document of `GET /api/openapi.json`. The page and its start script are ours; the
// viewer's script and stylesheet come from the package as they are.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HttpResponseInit } from '@azure/functions';
import { notFound } from '../http/problem';

/** Where swagger-ui-dist's files are (resolved once, from wherever the app's node_modules is). */
const viewerDir = (): string => dirname(require.resolve('swagger-ui-dist/package.json'));

/** Files of the package the page loads, by the name it asks for. */
const VIEWER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Report exports API reference</title>
    <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" />
    <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
  </head>
  <body>
    <p class="links"><a href="/api/web">Report exports: the web page</a> · <a href="/api/openapi.json">the OpenAPI document</a></p>
    <noscript>The reference needs JavaScript; the document itself is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
    <div id="reference"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script src="/api/docs/start.js"></script>
  </body>
</html>
`;

/** Starts the viewer on the document. No validator badge (it would call out), "Try it out" with a token. */
const DOCS_START_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    validatorUrl: null,
    displayOperationId: false,
    defaultModelsExpandDepth: 0,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** Scripts, styles and fetches only from this origin; the viewer's icons are data: URLs. */
function docsSecurityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Answers `GET /api/docs/{path}`: the page (empty path), its start script, or a file of the viewer. */
export async function serveDocs(path: string): Promise<HttpResponseInit> {
  const headers = docsSecurityHeaders();
  const file = path.replace(/^\/+|\/+$/g, '');
  if (file === '' || file === 'index.html') {
    return {
      status: 200,
      body: DOCS_PAGE,
      headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' },
    };
  }
  if (file === 'start.js') {
    return {
      status: 200,
      body: DOCS_START_SCRIPT,
      headers: { ...headers, 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' },
    };
  }
  const contentType = Object.hasOwn(VIEWER_FILES, file) ? VIEWER_FILES[file] : undefined;
  if (contentType === undefined) {
    const missing = notFound('No such file.');
    return { ...missing, headers: { ...headers, ...(missing.headers as Record<string, string>) } };
  }
  return {
    status: 200,
    body: await readFile(join(viewerDir(), file)),
    headers: { ...headers, 'Content-Type': contentType, 'Cache-Control': 'public, max-age=3600' },
  };
}
