// The Cosmos outbox store against the local Cosmos stand-in started by the global setup. Other test files
// write to the same container, so every assertion is narrowed to this file's own tenants.
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCosmosClient } from '../../../src/adapters/azure-clients';
import { createCosmosOutboxStore } from '../../../src/adapters/cosmos-outbox-store';
import type { OutboxDocument } from '../../../src/domain/report';
import type { OutboxStore } from '../../../src/services/outbox-relay';

let client: CosmosClient;
let container: Container;
let store: OutboxStore;

beforeAll(() => {
  const connectionString = process.env.COSMOS;
  if (!connectionString) throw new Error('COSMOS is not set: the global setup did not run');
  client = createCosmosClient({ kind: 'connectionString', connectionString });
  container = client
    .database(process.env.COSMOS_DATABASE_NAME ?? 'reportexports')
    .container(process.env.COSMOS_REPORTS_CONTAINER ?? 'reports');
  store = createCosmosOutboxStore(container);
});

afterAll(() => {
  client?.dispose();
});

/** Just enough of a report document to sit next to outbox docs in the container. */
interface StrayReport {
  id: string;
  kind: 'report';
  tenantId: string;
  createdAt: string;
  dispatchedAt: null;
}

const tenant = (): string => `outbox-store-${randomUUID()}`;

function outbox(
  tenantId: string,
  createdAt: string,
  overrides: Partial<OutboxDocument> = {},
): OutboxDocument {
  const reportId = randomUUID();
  return {
    id: randomUUID(),
    kind: 'outbox',
    tenantId,
    reportId,
    messageType: 'ExportRequested',
    payload: { tenantId, reportId, reportType: 'ratings', format: 'csv' },
    correlationId: randomUUID(),
    createdAt,
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
    ...overrides,
  };
}

async function seed<T extends { id: string }>(...docs: T[]): Promise<T[]> {
  for (const doc of docs) await container.items.create(doc);
  return docs;
}

async function readRaw(doc: OutboxDocument): Promise<Record<string, unknown> | undefined> {
  const { resource } = await container.item(doc.id, doc.tenantId).read<Record<string, unknown>>();
  return resource;
}

describe('Cosmos outbox store', () => {
  it('markDispatched sets dispatchedAt, ttl and clears lastError', async () => {
    const [doc] = await seed(outbox(tenant(), new Date().toISOString(), { lastError: 'earlier failure' }));
    if (!doc) throw new Error('unreachable');

    await store.markDispatched(doc, '2025-03-01T12:00:00.000Z', 3600);

    expect(await readRaw(doc)).toMatchObject({
      id: doc.id,
      dispatchedAt: '2025-03-01T12:00:00.000Z',
      ttl: 3600,
      lastError: null,
      attempts: 0,
      payload: doc.payload,
    });
  });

  it('recordFailure increments attempts and stores lastError', async () => {
    const [doc] = await seed(outbox(tenant(), new Date().toISOString()));
    if (!doc) throw new Error('unreachable');

    await store.recordFailure(doc, 'broker down');
    await store.recordFailure(doc, 'still down');

    expect(await readRaw(doc)).toMatchObject({ attempts: 2, lastError: 'still down', dispatchedAt: null });
  });

  it('markDispatched on a missing doc rejects', async () => {
    await expect(store.markDispatched(outbox(tenant(), new Date().toISOString()), 'x', 1)).rejects.toThrow();
  });

  describe('findUndispatched', () => {
    // Far in the past so that no other file's docs sort before ours.
    const base = Date.UTC(1971, 0, 1) + Math.floor(Math.random() * 500_000) * 60_000;
    const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();
    const cutOff = new Date(base + 100_000);
    const [tenantA, tenantB] = [tenant(), tenant()];
    const mine = (docs: OutboxDocument[]): OutboxDocument[] =>
      docs.filter((d) => d.tenantId === tenantA || d.tenantId === tenantB);
    let expected: OutboxDocument[];

    beforeAll(async () => {
      const oldestB = outbox(tenantB, at(1));
      const nullA = outbox(tenantA, at(2));
      // No dispatchedAt property at all (written before the field existed, or by hand).
      const { dispatchedAt: _omitted, ...undefinedB } = outbox(tenantB, at(3));
      const lastA = outbox(tenantA, at(4), { attempts: 3, lastError: 'boom' });
      expected = [oldestB, nullA, undefinedB as OutboxDocument, lastA];
      await seed<OutboxDocument | StrayReport>(
        ...expected,
        outbox(tenantA, at(0.5), { dispatchedAt: at(10) }), // dispatched
        outbox(tenantB, at(200_000)), // newer than the cut-off
        // A report doc with the same shape of fields must never come back.
        { id: randomUUID(), kind: 'report', tenantId: tenantA, createdAt: at(0.2), dispatchedAt: null },
      );
    });

    it('returns undispatched outbox docs older than the cut-off, oldest first, across tenants', async () => {
      const found = mine(await store.findUndispatched(cutOff, 50));
      expect(found.map((d) => d.id)).toEqual(expected.map((d) => d.id));
      expect(found.every((d) => d.kind === 'outbox')).toBe(true);
      expect(found[0]).toEqual(expected[0]);
    });

    it('strips Cosmos system properties', async () => {
      const found = mine(await store.findUndispatched(cutOff, 50));
      for (const doc of found) {
        expect(Object.keys(doc).filter((key) => key.startsWith('_'))).toEqual([]);
      }
    });

    it('honours the limit and the cut-off', async () => {
      // Our docs are dated 1971-72, before anything the other test files write, so they come first.
      const found = await store.findUndispatched(cutOff, 2);
      expect(found.map((d) => d.id)).toEqual(expected.slice(0, 2).map((d) => d.id));
      const beforeThird = mine(await store.findUndispatched(new Date(base + 2000), 50));
      expect(beforeThird.map((d) => d.id)).toEqual(expected.slice(0, 2).map((d) => d.id));
    });

    it('rejects a non-positive limit', async () => {
      await expect(store.findUndispatched(cutOff, 0)).rejects.toThrow(RangeError);
    });
  });
});
