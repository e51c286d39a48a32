// The outbox end to end through the local host: the change-feed relay and the sweeper move every
// outbox document to the report-requests queue, nothing is lost while Service Bus is down, and nothing
// arrives twice. The queue's receiver here plays the worker.
import { randomUUID } from 'node:crypto';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import type { Container } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/net';
import { startLocalHost, type LocalHost } from '../../../dev/local-host';
import { peerQueues } from '../../../dev/local-env';
import { startServiceBusPeer, type ServiceBusPeer } from '../../../dev/servicebus-peer/peer';
import { issueDevToken } from '../../../dev/token';
import { createCosmosClient } from '../../../src/adapters/azure-clients';
import { disposeServices } from '../../../src/composition';
import { loadConfig, resetConfigForTesting } from '../../../src/config';
import { apiAndRelayOnly } from '../../support/functions';

const QUEUE = 'report-requests';
let peer: ServiceBusPeer;
let peerPort: number;
let host: LocalHost;
let serviceBus: ServiceBusClient;
let container: Container;
let disposeCosmos: () => void;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function post(tokenValue: string, index: number): Promise<{ status: number; reportId: string }> {
  const day = String((index % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(index / 28) % 12) + 1).padStart(2, '0');
  const response = await fetch(`${host.url}/api/reports/popularity`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenValue}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      parameters: { fromDate: `2020-${month}-${day}`, toDate: `2021-${month}-${day}` },
    }),
  });
  const body = (await response.json()) as { reportId: string };
  return { status: response.status, reportId: body.reportId };
}

/** Receives (and completes) every message until the queue stays empty for `quietMs`. */
async function drain(client: ServiceBusClient, quietMs: number): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(QUEUE);
  const all: ServiceBusReceivedMessage[] = [];
  try {
    for (;;) {
      const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: quietMs });
      if (batch.length === 0) return all;
      for (const message of batch) await receiver.completeMessage(message);
      all.push(...batch);
    }
  } finally {
    await receiver.close();
  }
}

/** Posts `count` reports one at a time and receives each one's message, timing POST -> received. */
async function postAndReceive(
  count: number,
  firstIndex: number,
): Promise<{
  tenant: string;
  lags: number[];
  deliveries: { reportId: string; message?: ServiceBusReceivedMessage }[];
}> {
  const tenant = `t-${randomUUID()}`;
  const token = await issueDevToken({
    tenantId: tenant,
    userId: 'u',
    dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR,
  });
  const receiver = serviceBus.createReceiver(QUEUE);
  const lags: number[] = [];
  const deliveries: { reportId: string; message?: ServiceBusReceivedMessage }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const { reportId } = await post(token, firstIndex + i);
      // Other test files share the Cosmos container, so this host's relay also moves their outbox
      // documents: skip (and complete) messages of other tenants while waiting for this report's.
      let message: ServiceBusReceivedMessage | undefined;
      const deadline = Date.now() + 10_000;
      while (!message && Date.now() < deadline) {
        const batch = await receiver.receiveMessages(1, { maxWaitTimeInMs: deadline - Date.now() });
        for (const candidate of batch) {
          await receiver.completeMessage(candidate);
          if (candidate.applicationProperties?.tenantId === tenant) message = candidate;
        }
      }
      lags.push(performance.now() - started);
      deliveries.push(message ? { reportId, message } : { reportId });
    }
  } finally {
    await receiver.close();
  }
  lags.sort((a, b) => a - b);
  return { tenant, lags, deliveries };
}

const percentile = (sorted: number[], p: number): number =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0);

async function outboxOf(tenantId: string) {
  const { resources } = await container.items
    .query<{ reportId: string; dispatchedAt: string | null; attempts: number; lastError: string | null }>({
      query: "SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'outbox'",
      parameters: [{ name: '@t', value: tenantId }],
    })
    .fetchAll();
  return resources;
}

beforeAll(async () => {
  const config = loadConfig(process.env);
  peerPort = await freePort();
  peer = await startServiceBusPeer({ port: peerPort, queues: peerQueues(config) });
  // This file's app talks to its own peer, which the outage test stops and starts again.
  process.env.SERVICEBUS = peer.connectionString;
  process.env.OUTBOX_SWEEP_GRACE_SECONDS = '1';
  resetConfigForTesting();
  await disposeServices();
  serviceBus = new ServiceBusClient(peer.connectionString);
  const cosmos = createCosmosClient(config.cosmos);
  disposeCosmos = () => cosmos.dispose();
  container = cosmos.database(config.cosmos.databaseName).container(config.cosmos.reportsContainer);
  host = await startLocalHost({
    definitions: apiAndRelayOnly,
    port: 0,
    timerSchedules: { outboxSweeper: '*/1 * * * * *' },
    changeFeedPollMs: 200,
    log: (line) => {
      if (process.env.DEBUG_OUTBOX) console.log(line);
    },
  });
  await drain(serviceBus, 500); // whatever other files' reports left in the shared container
});

afterAll(async () => {
  await host?.stop();
  await disposeServices();
  await serviceBus?.close();
  await peer?.close();
  disposeCosmos?.();
});

describe('outbox relay', () => {
  it('delivers each new report to the queue with its properties, within about a second', async () => {
    const { tenant, lags, deliveries } = await postAndReceive(10, 0);
    for (const { reportId, message } of deliveries) {
      expect(message?.applicationProperties).toEqual({ tenantId: tenant, reportId });
      expect(message?.messageId).toBe(`outbox-${reportId}`);
      expect(message?.subject).toBe('ExportRequested');
      expect(message?.body).toMatchObject({ tenantId: tenant, reportId, reportType: 'popularity' });
    }
    console.log(
      `relay lag POST -> message received, 10 reports: p50 ${percentile(lags, 0.5)} ms, max ${percentile(lags, 1)} ms`,
    );
    const docs = await outboxOf(tenant);
    expect(docs.every((d) => d.dispatchedAt)).toBe(true);
  });

  it('loses nothing while Service Bus is down and delivers every report exactly once when it is back', async () => {
    const tenant = `t-${randomUUID()}`;
    const token = await issueDevToken({
      tenantId: tenant,
      userId: 'u',
      dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR,
    });
    await peer.close();

    const results: { status: number; reportId: string }[] = [];
    for (let i = 0; i < 100; i += 10) {
      results.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => post(token, 1000 + i + j)))));
    }
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 100 }, () => 202));

    if (process.env.DEBUG_OUTBOX) console.log('posted 100');
    // The relay keeps trying: every document stays undispatched and records why.
    const failed = await until(
      'failed relay attempts to be recorded',
      async () => {
        const docs = await outboxOf(tenant);
        return docs.length === 100 && docs.every((d) => d.attempts >= 1) ? docs : undefined;
      },
      60_000,
    );
    expect(failed.every((d) => !d.dispatchedAt && d.lastError)).toBe(true);

    peer = await startServiceBusPeer({ port: peerPort, queues: peerQueues(loadConfig(process.env)) });
    await until(
      'every outbox document to be dispatched',
      async () => ((await outboxOf(tenant)).every((d) => d.dispatchedAt) ? true : undefined),
      60_000,
    );
    // A new client for the new peer (the test's old one was connected to the stopped one).
    await serviceBus.close();
    serviceBus = new ServiceBusClient(peer.connectionString);
    const received = (await drain(serviceBus, 1_500)).filter(
      (m) => m.applicationProperties?.tenantId === tenant,
    );
    const perReport = new Map<string, number>();
    for (const m of received)
      perReport.set(
        String(m.applicationProperties?.reportId),
        (perReport.get(String(m.applicationProperties?.reportId)) ?? 0) + 1,
      );
    expect(received).toHaveLength(100);
    expect([...perReport.keys()].sort()).toEqual(results.map((r) => r.reportId).sort());
    expect([...perReport.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);

  it('delivers through the sweeper alone when the change feed misses documents', async () => {
    // A host without the change-feed function: only the sweeper (every second, 1 s grace) relays.
    await host.stop();
    host = await startLocalHost({
      definitions: apiAndRelayOnly.filter((f) => f.name !== 'outboxRelay'),
      port: 0,
      timerSchedules: { outboxSweeper: '*/1 * * * * *' },
      log: () => undefined,
    });
    const { lags, deliveries } = await postAndReceive(5, 2000);
    for (const { reportId, message } of deliveries)
      expect(message?.applicationProperties?.reportId).toBe(reportId);
    console.log(
      `relay lag through the sweeper alone (1 s interval, 1 s grace), 5 reports: p50 ${percentile(lags, 0.5)} ms, max ${percentile(lags, 1)} ms`,
    );
    expect(lags.every((lag) => lag < 10_000)).toBe(true);
  });
});
