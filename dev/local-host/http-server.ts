// The HTTP side of the local host: routes requests to HTTP-triggered function definitions using the
// Functions route template rules and converts to and from @azure/functions' HttpRequest/HttpResponse.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HttpRequest, HttpResponse, type HttpFunctionOptions, type HttpResponseInit } from '@azure/functions';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from '../../src/http/problem';
import { invoke, type HostLog } from './invoke';
import { compileRoute, type CompiledRoute } from './routes';

export interface HttpFunction {
  name: string;
  options: HttpFunctionOptions;
}

interface Route {
  fn: HttpFunction;
  compiled: CompiledRoute;
  methods: Set<string>;
}

/** The Functions host's own default request size limit (100 MB). */
const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

export function createHttpHost(functions: HttpFunction[], routePrefix: string, log: HostLog): Server {
  const routes: Route[] = functions.map((fn) => ({
    fn,
    compiled: compileRoute(routePrefix, fn.options.route ?? fn.name),
    methods: new Set((fn.options.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase())),
  }));

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`http: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const matches = routes
      .map((route) => ({ route, params: route.compiled.match(url.pathname) }))
      .filter((m): m is { route: Route; params: Record<string, string> } => m.params !== undefined);
    if (matches.length === 0) {
      req.resume();
      problem(res, 404, PROBLEM_TYPES.notFound, 'Not found.', `No function serves ${url.pathname}.`);
      return;
    }
    const match = matches.find((m) => m.route.methods.has(method));
    if (!match) {
      req.resume();
      const allow = [...new Set(matches.flatMap((m) => [...m.route.methods]))].join(', ');
      problem(
        res,
        405,
        PROBLEM_TYPES.methodNotAllowed,
        'Method not allowed.',
        `${url.pathname} answers ${allow}, not ${method}.`,
        { Allow: allow },
      );
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      res.writeHead(413, { Connection: 'close' }).end();
      return;
    }
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: flattenHeaders(req.headers),
      params: match.params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const { fn } = match.route;
    let result: HttpResponseInit | HttpResponse | void;
    try {
      result = await invoke(log, fn.name, { triggerMetadata: {} }, (context) =>
        Promise.resolve(fn.options.handler(request, context)),
      );
    } catch {
      res.writeHead(500).end(); // as the Functions host: the error is logged, never sent
      return;
    }
    await writeResponse(res, result instanceof HttpResponse ? result : new HttpResponse(result ?? {}));
  }
}

/**
 * A problem+json answer of the host's own, for a request no function takes, as the app answers its
 * errors (the Azure host answers these itself, with an empty 404).
 */
function problem(
  res: ServerResponse,
  status: number,
  type: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store' })
    .end(JSON.stringify({ type, title, status, detail }));
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BODY_BYTES) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BODY_BYTES) return 'too-large';
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

async function writeResponse(res: ServerResponse, response: HttpResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.cookies.map((c) => {
    const parts = [`${c.name}=${c.value}`];
    if (c.path) parts.push(`Path=${c.path}`);
    if (c.domain) parts.push(`Domain=${c.domain}`);
    if (c.maxAge !== undefined) parts.push(`Max-Age=${c.maxAge}`);
    if (c.expires) parts.push(`Expires=${new Date(c.expires).toUTCString()}`);
    if (c.secure) parts.push('Secure');
    if (c.httpOnly) parts.push('HttpOnly');
    if (c.sameSite) parts.push(`SameSite=${c.sameSite}`);
    return parts.join('; ');
  });
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const stream = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
