// The Cosmos DB NoSQL REST API in Node (@vercel/cosmosdb-server), over plain http on 127.0.0.1.
// Its state lives in memory. Known limits (see README): batch is not atomic, no real change feed, no TTL.
import type { AddressInfo } from 'node:net';
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

export async function startCosmosServer(options: CosmosServerOptions = {}): Promise<CosmosServer> {
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
