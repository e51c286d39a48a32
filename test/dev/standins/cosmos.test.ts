// The Cosmos stand-in's paging (dev/standins/cosmos.ts), through the real @azure/cosmos client: a query
// of many pages returns every document once, in order, across continuations; a continuation it does not
// know is a 400.
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCosmosClient } from '../../support/clients';

let client: CosmosClient;
let container: Container;
const databaseName = `standin-${randomUUID().slice(0, 8)}`;
const DOCS = 2_345;

beforeAll(async () => {
  client = testCosmosClient();
  const { database } = await client.databases.createIfNotExists({ id: databaseName });
  ({ container } = await database.containers.createIfNotExists({ id: 'docs', partitionKey: '/pk' }));
  const ids = Array.from({ length: DOCS }, (_, i) => i);
  for (let start = 0; start < DOCS; start += 100) {
    await container.items.executeBulkOperations(
      ids.slice(start, start + 100).map((i) => ({
        operationType: 'Create' as const,
        partitionKey: `p${i % 7}`,
        resourceBody: { id: `d${i}`, pk: `p${i % 7}`, n: (i * 7919) % DOCS },
      })),
    );
  }
}, 60_000);

afterAll(async () => {
  await client
    .database(databaseName)
    .delete()
    .catch(() => undefined);
  client.dispose();
});

describe('the Cosmos stand-in', () => {
  it('pages a large ORDER BY query once through, every document once and in order', async () => {
    const iterator = container.items.query<{ n: number }>(
      {
        query: 'SELECT c.n FROM c WHERE c.n >= @min ORDER BY c.n',
        parameters: [{ name: '@min', value: 10 }],
      },
      { maxItemCount: 500 },
    );
    const seen: number[] = [];
    let pages = 0;
    while (iterator.hasMoreResults()) {
      const { resources } = await iterator.fetchNext();
      if (resources.length > 0) pages++;
      seen.push(...resources.map((r) => r.n));
    }
    expect(seen).toEqual(Array.from({ length: DOCS - 10 }, (_, i) => i + 10));
    expect(pages).toBe(Math.ceil((DOCS - 10) / 500));
  });

  it('answers a query of one page as before, and refuses a continuation it does not know', async () => {
    const { resources } = await container.items.query({ query: 'SELECT VALUE COUNT(1) FROM c' }).fetchAll();
    expect(resources).toEqual([DOCS]);
    const forged = JSON.stringify({ token: `paged:${randomUUID()}:500`, range: { min: '', max: 'FF' } });
    const iterator = container.items.query('SELECT * FROM c', {
      maxItemCount: 500,
      continuationToken: forged,
    });
    await expect(iterator.fetchNext()).rejects.toMatchObject({ code: 400 });
  });
});
