// The outbox relay service with its real adapters: the Cosmos outbox store on the local Cosmos server and
// the Service Bus publisher (real @azure/service-bus client) on the local AMQP peer, both started by the
// global setup. The database and the queues are this file's own, so that no running host relays these docs
// (the peer creates queues on first use, with duplicate detection).
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceBusEmulatorConnectionString, startServiceBusPeer } from '../../../dev/servicebus-peer/peer';
import { createCosmosClient } from '../../../src/adapters/azure-clients';
import { createCosmosOutboxStore } from '../../../src/adapters/cosmos-outbox-store';
import { createServiceBusPublisher } from '../../../src/adapters/servicebus-publisher';
import type { OutboxDocument } from '../../../src/domain/report';
import {
  createOutboxRelay,
  type MessagePublisher,
  type OutboundMessage,
  type OutboxStore,
} from '../../../src/services/outbox-relay';
import { freePort } from '../../support/net';

const TTL = 3600;
let cosmos: CosmosClient;
let container: Container;
let store: OutboxStore;
let serviceBus: ServiceBusClient;

const DATABASE = `relay-it-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const cosmosConnection = process.env.COSMOS;
  const serviceBusConnection = process.env.SERVICEBUS;
  if (!cosmosConnection || !serviceBusConnection) throw new Error('the global setup did not run');
  cosmos = createCosmosClient({ kind: 'connectionString', connectionString: cosmosConnection });
  const { database } = await cosmos.databases.createIfNotExists({ id: DATABASE });
  ({ container } = await database.containers.createIfNotExists({
    id: 'reports',
    partitionKey: { paths: ['/tenantId'] },
    defaultTtl: -1,
  }));
  store = createCosmosOutboxStore(container);
  serviceBus = new ServiceBusClient(serviceBusConnection);
});

afterAll(async () => {
  await serviceBus?.close();
  await cosmos
    ?.database(DATABASE)
    .delete()
    .catch(() => undefined);
  cosmos?.dispose();
});

/** An outbox doc of a new tenant, stored; returns the stored snapshot (what a change feed would carry). */
async function storedOutbox(tenantId = `relay-it-${randomUUID()}`): Promise<OutboxDocument> {
  const reportId = randomUUID();
  const doc: OutboxDocument = {
    id: `outbox-${reportId}`,
    kind: 'outbox',
    tenantId,
    reportId,
    messageType: 'ExportRequested',
    payload: { tenantId, reportId, reportType: 'popularity', format: 'csv' },
    correlationId: randomUUID(),
    createdAt: new Date().toISOString(),
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
  };
  const { resource } = await container.items.create(doc);
  if (!resource) throw new Error('not created');
  return resource;
}

async function read(doc: OutboxDocument): Promise<Record<string, unknown> | undefined> {
  return (await container.item(doc.id, doc.tenantId).read<Record<string, unknown>>()).resource;
}

/** Receives (and deletes) until nothing more arrives for `quietMs`. */
async function receiveUntilQuiet(queue: string, quietMs: number): Promise<ServiceBusReceivedMessage[]> {
  const receiver = serviceBus.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
  const received: ServiceBusReceivedMessage[] = [];
  try {
    for (;;) {
      const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: quietMs });
      if (batch.length === 0) return received;
      received.push(...batch);
    }
  } finally {
    await receiver.close();
  }
}

/** Counts the publish calls that reach the broker adapter. */
function counted(publisher: MessagePublisher): MessagePublisher & { calls: number } {
  const wrapper = {
    calls: 0,
    publish(messages: OutboundMessage[]): Promise<void> {
      wrapper.calls += 1;
      return publisher.publish(messages);
    },
  };
  return wrapper;
}

describe('outbox relay on the Cosmos and Service Bus stand-ins', () => {
  it('relays the same outbox doc twice: one message arrives, with its properties as sent', async () => {
    const queue = `relay-it-${randomUUID().slice(0, 8)}`;
    const publisher = createServiceBusPublisher(serviceBus, queue);
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL });
    const snapshot = await storedOutbox();

    // The same undispatched snapshot twice, as a replayed change feed batch would carry it.
    expect(await relay.relay([snapshot])).toMatchObject({ sent: 1, failed: 0, storeErrors: 0 });
    expect(await relay.relay([snapshot])).toMatchObject({ sent: 1, failed: 0, storeErrors: 0 });

    // Quiet for 3 s after the last arrival: a late duplicate would be seen.
    const received = await receiveUntilQuiet(queue, 3_000);
    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message?.messageId).toBe(snapshot.id);
    expect(message?.correlationId).toBe(snapshot.correlationId);
    expect(message?.subject).toBe('ExportRequested');
    expect(message?.applicationProperties).toEqual({
      tenantId: snapshot.tenantId,
      reportId: snapshot.reportId,
    });
    expect(message?.body).toEqual(snapshot.payload);
    expect(await read(snapshot)).toMatchObject({ ttl: TTL, attempts: 0, lastError: null });
    expect((await read(snapshot))?.dispatchedAt).toEqual(expect.any(String));
  });

  it('with Service Bus down: one call, every failure recorded with its backoff, relayed once it is back', async () => {
    const port = await freePort();
    const connectionString = serviceBusEmulatorConnectionString('127.0.0.1', port);
    const client = new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 0 } });
    const queue = `relay-it-${randomUUID().slice(0, 8)}`;
    const sbPublisher = createServiceBusPublisher(client, queue);
    const publisher = counted(sbPublisher);
    const baseMs = 60_000;
    const relay = createOutboxRelay({
      publisher,
      store,
      dispatchedTtlSeconds: TTL,
      retryBaseMs: baseMs,
      retryMaxMs: 600_000,
    });
    const tenantId = `relay-it-${randomUUID()}`;
    const docs: OutboxDocument[] = [];
    for (let i = 0; i < 60; i++) docs.push(await storedOutbox(tenantId));
    const mine = (found: OutboxDocument[]): OutboxDocument[] => found.filter((d) => d.tenantId === tenantId);
    let peer: Awaited<ReturnType<typeof startServiceBusPeer>> | undefined;
    try {
      const failedAt = Date.now();
      const result = await relay.relay(docs);

      expect(result).toMatchObject({ sent: 0, failed: 60, storeErrors: 0 });
      expect(publisher.calls).toBe(1); // not 1 + 50 + 10: no one-by-one retries of a broker that is down
      for (const doc of docs) {
        const stored = await read(doc);
        expect(stored).toMatchObject({ attempts: 1, dispatchedAt: null });
        expect(stored?.lastError).toMatch(/^Service Bus unavailable: .*ECONNREFUSED/);
        const due = Date.parse(String(stored?.nextAttemptAt));
        expect(due).toBeGreaterThanOrEqual(failedAt + baseMs);
        expect(due).toBeLessThanOrEqual(Date.now() + baseMs);
      }

      // The sweeper's query leaves them out until their retry is due, then returns them.
      const now = new Date();
      expect(mine(await store.findUndispatched(now, now, 500))).toEqual([]);
      const dueBy = new Date(Date.now() + baseMs + 1_000);
      const due = mine(await store.findUndispatched(now, dueBy, 500));
      expect(due).toHaveLength(60);
      expect(new Set(due.map((d) => d.id))).toEqual(new Set(docs.map((d) => d.id)));

      peer = await startServiceBusPeer({ port, queues: {} });
      expect(await relay.relay(due)).toMatchObject({ sent: 60, failed: 0 });
      const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
      const received: ServiceBusReceivedMessage[] = [];
      try {
        for (;;) {
          const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: 2_000 });
          if (batch.length === 0) break;
          received.push(...batch);
        }
      } finally {
        await receiver.close();
      }
      expect(new Set(received.map((m) => String(m.messageId)))).toEqual(new Set(docs.map((d) => d.id)));
      expect(received).toHaveLength(60);
    } finally {
      await client.close(); // closes the publisher's sender too
      await peer?.close();
    }
  });
});
