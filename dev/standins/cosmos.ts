// The Cosmos DB NoSQL REST API in Node (@vercel/cosmosdb-server), over plain http on 127.0.0.1.
// Its state lives in memory. Known limits (see README): batch is not atomic, no real change feed, no TTL.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createHttpServer } from '@vercel/cosmosdb-server';

/** The well-known, public Cosmos DB emulator key; the Node server accepts any key. */
const COSMOS_EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosServerOptions {
  host?: string;
  port?: number; // 0 = a free port
}

export interface CosmosServer {
  readonly port: number;
  readonly connectionString: string;
  close(): Promise<void>;
}

export function cosmosConnectionString(host: string, port: number): string {
  return `AccountEndpoint=http://${host}:${port}/;AccountKey=${COSMOS_EMULATOR_KEY};`;
}

interface QueryPrototype {
  readonly code: string | null;
}

let queryEngineFixed = false;

/**
 * Two fixes to the server's query engine (@zeit/cosmosdb-query). It compiles each query to JavaScript that collects the
 * matching documents with `reduce(($, x) => [...$, x], [])`: a fresh array per document, so a query
 * costs O(n^2) in the container's size (seconds at 20k documents, past the SDK's timeout at 200k).
 * The same code with an in-place push gives the same results in O(n). Applied once per process, to the
 * engine the server loads.
 */
function fixQueryEngine(): void {
  if (queryEngineFixed) return;
  queryEngineFixed = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const engine = serverRequire('@zeit/cosmosdb-query') as { default: (query: string) => QueryPrototype };
  // The module exports a factory, not the class: reach the class through an instance.
  const prototype = Object.getPrototypeOf(engine.default('SELECT * FROM c')) as QueryPrototype;
  // The getter is taken off its object on purpose: it is called below with each query as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = Object.getOwnPropertyDescriptor(prototype, 'code')?.get as
    ((this: QueryPrototype) => string | null) | undefined;
  if (!original) throw new Error('@zeit/cosmosdb-query changed: Query.prototype.code is not a getter');
  Object.defineProperty(prototype, 'code', {
    configurable: true,
    get(this: QueryPrototype) {
      const code = original.call(this);
      return code?.replace(/\[\.\.\.\$, (\{[^{}]*\})\]/g, '($.push($1), $)') ?? code;
    },
  });
  // Every result goes through `stripUndefined`, which rebuilds an array one spread per element: O(n^2)
  // in the result's length (seconds at 30,000 rows). The same rule (drop undefined array elements and
  // object fields, recursively) in one pass.
  const helpers = serverRequire('@zeit/cosmosdb-query/lib/helpers') as {
    stripUndefined: (value: unknown) => unknown;
  };
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) if (item !== undefined) out.push(strip(item));
      return out;
    }
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = strip(item);
      return out;
    }
    return value;
  };
  helpers.stripUndefined = strip;
}

interface QueryPage {
  result: unknown[];
  continuation: { token: string; range: { min: string; max: string } } | null;
}

interface QueryOptions {
  maxItemCount?: number | null;
  continuation?: { token?: unknown } | null;
}

interface ItemsPrototype {
  query(this: object, params: unknown, options: QueryOptions): QueryPage | null;
}

/** How long the rest of a query's result waits for its next page, and how many results wait at once. */
const PAGED_RESULT_TTL_MS = 120_000;
const PAGED_RESULTS_KEPT = 64;
const PAGED_TOKEN = /^paged:([0-9a-f-]{36}):(\d+)$/;

let pagingFixed = false;

/**
 * The server answers every page of a query by running the whole query again and skipping to the
 * continuation: paging through n rows costs O(n^2) (about 3,500 rows/s at a million ratings). Here a
 * query with more than one page runs once; its result waits, under a continuation token of its own, for
 * the pages that follow. Tokens the server made itself still work as before.
 */
function fixQueryPaging(): void {
  if (pagingFixed) return;
  pagingFixed = true;
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
  const items = serverRequire('./account/items') as { default: { prototype: ItemsPrototype } };
  const prototype = items.default.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = prototype.query;
  const waiting = new Map<string, { rows: unknown[]; expires: number }>();
  const page = (id: string, rows: unknown[], offset: number, size: number): QueryPage => {
    const end = offset + size;
    const more = end < rows.length;
    // Kept until it expires, not just until its last page: a client may ask for a page again.
    if (!waiting.has(id)) {
      waiting.set(id, { rows, expires: Date.now() + PAGED_RESULT_TTL_MS });
      while (waiting.size > PAGED_RESULTS_KEPT) waiting.delete(waiting.keys().next().value as string);
    }
    return {
      result: rows.slice(offset, end),
      continuation: more ? { token: `paged:${id}:${end}`, range: { min: '', max: 'FF' } } : null,
    };
  };
  prototype.query = function (this: object, params: unknown, options: QueryOptions): QueryPage | null {
    const size = options.maxItemCount ?? 0;
    const token = options.continuation?.token;
    const match = typeof token === 'string' ? PAGED_TOKEN.exec(token) : null;
    if (match) {
      const [, id = '', offset = '0'] = match;
      const entry = waiting.get(id);
      if (entry && entry.expires > Date.now())
        return page(id, entry.rows, Number(offset), size > 0 ? size : Infinity);
      // Expired: nothing to go on. The server would answer a token it cannot read the same way.
      throw Object.assign(new Error('the continuation token has expired'), { badRequest: true });
    }
    if (size <= 0 || options.continuation) return original.call(this, params, options);
    const whole = original.call(this, params, { ...options, maxItemCount: null });
    if (!whole || whole.result.length <= size) return whole;
    return page(randomUUID(), whole.result, 0, size);
  };
}

export async function startCosmosServer(options: CosmosServerOptions = {}): Promise<CosmosServer> {
  fixQueryEngine();
  fixQueryPaging();
  const host = options.host ?? '127.0.0.1';
  const server = createHttpServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8081, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    connectionString: cosmosConnectionString(host, port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
