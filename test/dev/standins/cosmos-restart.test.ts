// The Cosmos stand-in stopped and started again (dev/standins/cosmos.ts), as the outage tests use it:
// while stopped it refuses connections, and it comes back on the same port with the data it had.
import type { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCosmosServer, type CosmosServer } from '../../../dev/standins/cosmos';
import { createCosmosClient } from '../../../src/adapters/azure-clients';
import { answers } from '../../support/net';

let server: CosmosServer;
let client: CosmosClient;

beforeAll(async () => {
  server = await startCosmosServer({ port: 0 });
  client = createCosmosClient({ kind: 'connectionString', connectionString: server.connectionString });
});

afterAll(async () => {
  client.dispose();
  await server.close();
});

describe('the Cosmos stand-in, restarted', () => {
  it('refuses requests while stopped and keeps its data for the restart', async () => {
    const { database } = await client.databases.createIfNotExists({ id: 'restart' });
    const { container } = await database.containers.createIfNotExists({ id: 'docs', partitionKey: '/pk' });
    await container.items.create({ id: 'kept', pk: 'p', n: 1 });
    // An open keep-alive connection must not outlive the stop.
    expect((await container.item('kept', 'p').read<{ n: number }>()).resource?.n).toBe(1);

    await server.stop();
    expect(await answers(server.port)).toBe(false);
    await expect(container.item('kept', 'p').read()).rejects.toThrow();

    await server.start();
    expect(await answers(server.port)).toBe(true);
    expect((await container.item('kept', 'p').read<{ n: number }>()).resource).toMatchObject({
      id: 'kept',
      n: 1,
    });
    await container.items.create({ id: 'after', pk: 'p', n: 2 });
    const { resources } = await container.items
      .query<number>('SELECT VALUE c.n FROM c ORDER BY c.n')
      .fetchAll();
    expect(resources).toEqual([1, 2]);
  });
});
