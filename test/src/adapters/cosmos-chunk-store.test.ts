// The Cosmos chunk store against the local Cosmos stand-in started by the global setup: the ChunkStore
// contract (test/contracts/chunk-store.contract.ts, which the in-memory store passes too), and what only
// this adapter does (other kinds of document in the partition, system properties).
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCosmosClient, testReportsContainer } from '../../support/clients';
import { reportDocument } from '../../support/report-document';
import { chunk, describeChunkStoreContract } from '../../contracts/chunk-store.contract';
import { createCosmosChunkStore } from '../../../src/adapters/cosmos-chunk-store';
import { asJson } from '../../../src/adapters/cosmos-documents';
import type { ChunkStore } from '../../../src/services/ports';

let client: CosmosClient;
let container: Container;
let store: ChunkStore;

beforeAll(() => {
  client = testCosmosClient();
  container = testReportsContainer(client);
  store = createCosmosChunkStore(container);
});

afterAll(() => {
  client?.dispose();
});

describeChunkStoreContract('Cosmos chunk store', () => createCosmosChunkStore(container));

describe('get', () => {
  it('returns the chunk without system properties, and the stored etag', async () => {
    const c = chunk(`t-${randomUUID()}`, 0);
    await store.createMissing([c]);
    const found = await store.get(c.tenantId, c.id);
    const { resource } = await container.item(c.id, c.tenantId).read<Record<string, unknown>>();

    expect(found?.doc).toEqual(c);
    expect(Object.keys(found?.doc ?? {}).filter((key) => key.startsWith('_'))).toEqual([]);
    expect(found?.etag).toBe(resource?._etag);
  });

  it('is undefined for a document of another kind in the partition', async () => {
    const report = reportDocument({ tenantId: `t-${randomUUID()}` });
    await container.items.create(asJson(report));

    expect(await store.get(report.tenantId, report.id)).toBeUndefined();
  });
});
