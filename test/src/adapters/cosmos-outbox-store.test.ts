// The Cosmos outbox store against the local Cosmos stand-in started by the global setup. Other test files
// write to the same container, so every assertion is narrowed to this file's own tenants.
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCosmosClient } from '../../../src/adapters/azure-clients';
import { createCosmosOutboxStore } from '../../../src/adapters/cosmos-outbox-store';
import type { OutboxDocument } from '../../../src/domain/report';
import type { OutboxStore } from '../../../src/services/outbox-relay';
import type { OutboxBacklog } from '../../../src/services/ports';

let client: CosmosClient;
let container: Container;
let store: OutboxStore & OutboxBacklog;

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

/** An outbox doc as a failure record leaves it: with the time its retry is due. */
type RetriedOutbox = OutboxDocument & { nextAttemptAt?: string | null };

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

  it('recordFailure increments attempts and stores lastError and nextAttemptAt', async () => {
    const [doc] = await seed(outbox(tenant(), new Date().toISOString()));
    if (!doc) throw new Error('unreachable');

    await store.recordFailure(doc, 'broker down', '2025-03-01T12:00:30.000Z');
    await store.recordFailure(doc, 'still down', '2025-03-01T12:01:30.000Z');

    expect(await readRaw(doc)).toMatchObject({
      attempts: 2,
      lastError: 'still down',
      nextAttemptAt: '2025-03-01T12:01:30.000Z',
      dispatchedAt: null,
    });
  });

  it('markDispatched on a missing doc rejects', async () => {
    await expect(store.markDispatched(outbox(tenant(), new Date().toISOString()), 'x', 1)).rejects.toThrow();
  });

  it('oldestUndispatchedAt is the createdAt of the oldest undispatched doc of any tenant, failed or not', async () => {
    // Older than anything another test file writes; the doc waiting for a retry counts too.
    const oldest = '1971-01-01T00:00:00.000Z';
    const [waiting] = await seed(outbox(tenant(), oldest, { attempts: 3, lastError: 'down' }));
    const [dispatched] = await seed(
      outbox(tenant(), '1970-06-01T00:00:00.000Z', { dispatchedAt: '1970-06-01T00:00:01.000Z' }),
    );
    if (!waiting || !dispatched) throw new Error('unreachable');
    await store.recordFailure(waiting, 'still down', '2999-01-01T00:00:00.000Z');
    expect(await store.oldestUndispatchedAt()).toBe(oldest);

    await store.markDispatched(waiting, new Date().toISOString(), 60);
    const after = await store.oldestUndispatchedAt();
    expect(after === null || after > oldest).toBe(true);
  });

  describe('findUndispatched', () => {
    // Far in the past so that no other file's docs sort before ours.
    const base = Date.UTC(1971, 0, 1) + Math.floor(Math.random() * 500_000) * 60_000;
    const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();
    const cutOff = new Date(base + 100_000);
    // Retries of these docs are due by now (their nextAttemptAt is in the past or missing).
    const now = new Date();
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
      // Failed before, retry due: one with its nextAttemptAt in the past, one with it null.
      const dueA = { ...outbox(tenantA, at(5), { attempts: 1, lastError: 'down' }), nextAttemptAt: at(6) };
      const nullNextB = {
        ...outbox(tenantB, at(6), { attempts: 1, lastError: 'down' }),
        nextAttemptAt: null,
      };
      expected.push(dueA, nullNextB);
      await seed<RetriedOutbox | StrayReport>(
        ...expected,
        outbox(tenantA, at(0.5), { dispatchedAt: at(10) }), // dispatched
        outbox(tenantB, at(200_000)), // newer than the cut-off
        // Failed, and its retry is not due before next year: left out, although it is old enough.
        {
          ...outbox(tenantA, at(1.5), { attempts: 7, lastError: 'down' }),
          nextAttemptAt: new Date(now.getTime() + 365 * 24 * 3600 * 1000).toISOString(),
        },
        // A report doc with the same shape of fields must never come back.
        { id: randomUUID(), kind: 'report', tenantId: tenantA, createdAt: at(0.2), dispatchedAt: null },
      );
    });

    it('returns undispatched outbox docs older than the cut-off and due, oldest first, across tenants', async () => {
      const found = mine(await store.findUndispatched(cutOff, now, 50));
      expect(found.map((d) => d.id)).toEqual(expected.map((d) => d.id));
      expect(found.every((d) => d.kind === 'outbox')).toBe(true);
      expect(found[0]).toEqual(expected[0]);
    });

    it('leaves out a doc whose retry is not due yet, until it is', async () => {
      const found = mine(await store.findUndispatched(cutOff, now, 50));
      expect(found.some((d) => d.attempts === 7)).toBe(false);
      const nextYear = new Date(now.getTime() + 366 * 24 * 3600 * 1000);
      const later = mine(await store.findUndispatched(cutOff, nextYear, 50));
      expect(later.map((d) => d.attempts)).toEqual([0, 7, 0, 0, 3, 1, 1]);
    });

    it('leaves out a doc whose nextAttemptAt is after now, to the millisecond', async () => {
      // A tenant of its own, so that the other tests here do not see it.
      const [doc] = await seed<RetriedOutbox>({
        ...outbox(tenant(), at(7), { attempts: 2, lastError: 'down' }),
        nextAttemptAt: at(50_000),
      });
      if (!doc) throw new Error('unreachable');
      const ids = (docs: OutboxDocument[]): string[] => docs.map((d) => d.id);
      expect(ids(await store.findUndispatched(cutOff, new Date(base + 49_999_999), 50))).not.toContain(
        doc.id,
      );
      expect(ids(await store.findUndispatched(cutOff, new Date(base + 50_000_000), 50))).toContain(doc.id);
    });

    it('strips Cosmos system properties', async () => {
      const found = mine(await store.findUndispatched(cutOff, now, 50));
      for (const doc of found) {
        expect(Object.keys(doc).filter((key) => key.startsWith('_'))).toEqual([]);
      }
    });

    it('honours the limit and the cut-off', async () => {
      // Our docs are dated 1971-72, before anything the other test files write, so they come first.
      const found = await store.findUndispatched(cutOff, now, 2);
      expect(found.map((d) => d.id)).toEqual(expected.slice(0, 2).map((d) => d.id));
      const beforeThird = mine(await store.findUndispatched(new Date(base + 2000), now, 50));
      expect(beforeThird.map((d) => d.id)).toEqual(expected.slice(0, 2).map((d) => d.id));
    });

    it('rejects a non-positive limit', async () => {
      await expect(store.findUndispatched(cutOff, now, 0)).rejects.toThrow(RangeError);
    });
  });
});
