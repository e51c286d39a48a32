// The Cosmos DB NoSQL REST API in Node (@vercel/cosmosdb-server), over plain http on 127.0.0.1.
// Its state lives in memory. Known limits (see README): batch is not atomic, no real change feed, no TTL.
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createHttpServer } from '@vercel/cosmosdb-server';

/** The well-known, public Cosmos DB emulator key; the Node server accepts any key. */
export const COSMOS_EMULATOR_KEY =
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
 * The server's query engine (@zeit/cosmosdb-query) compiles each query to JavaScript that collects the
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
}

export async function startCosmosServer(options: CosmosServerOptions = {}): Promise<CosmosServer> {
  fixQueryEngine();
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
