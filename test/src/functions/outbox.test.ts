// The outbox end to end through the local host: the change-feed relay and the sweeper move every
// outbox document to the report-requests queue, nothing is lost while Service Bus is down, and nothing
// arrives twice. The queue's receiver here plays the worker. The database and the Service Bus peer are
// this file's own, so that no other file's host relays these documents and this host relays no others.
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAndRelayOnly } from '../../support/app-host';
import type { OutboxDocument } from '../../../src/domain/report';
import { until } from '../../support/api';
import { e2eFixture } from '../../support/e2e-fixture';

const QUEUE = 'report-requests';
/** The sweeper's schedule here: every second, 1 s grace; a failed doc is retried after 1 s, then 2 s. */
const SWEEP_INTERVAL_MS = 1_000;
const SWEEPER_SCHEDULE = '*/1 * * * * *';
/** How long the queue must stay quiet before counting: a late duplicate would arrive within it. */
const QUIET_MS = SWEEP_INTERVAL_MS + 2_500;
let serviceBus: ServiceBusClient;

const e2e = e2eFixture({
  name: 'outbox',
  env: {
    // One user posts 100 reports that no worker runs here: beyond the default quota of active reports.
    USER_MAX_ACTIVE_REPORTS: '1000',
    OUTBOX_RETRY_MAX_SECONDS: '2',
  },
  only: apiAndRelayOnly,
  timerSchedules: { outboxSweeper: SWEEPER_SCHEDULE },
  changeFeedPollMs: 200,
  // This file's app talks to its own peer, which the outage test stops and starts again.
  restartablePeer: true,
  debug: 'DEBUG_OUTBOX',
});
/** The host's log lines (and invocation summaries) since it started. */
const { hostLog } = e2e;

/** Outbox docs the change-feed function handed to the relay, by its log lines from `from` on. */
const changeFeedRelayed = (from: number): number =>
  hostLog
    .slice(from)
    .map((line) => /outbox relay: sent (\d+), skipped (\d+), failed (\d+)/.exec(line))
    .reduce((sum, m) => sum + (m ? Number(m[1]) + Number(m[2]) + Number(m[3]) : 0), 0);

async function post(tokenValue: string, index: number): Promise<{ status: number; reportId: string }> {
  const day = String((index % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(index / 28) % 12) + 1).padStart(2, '0');
  const response = await fetch(`${e2e.host.url}/api/reports/popularity`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenValue}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      parameters: { fromDate: `2020-${month}-${day}`, toDate: `2021-${month}-${day}` },
    }),
  });
  const body = (await response.json()) as { reportId: string };
  return { status: response.status, reportId: body.reportId };
}

/**
 * Receives (and completes) every message until the queue stays empty for `quietMs`: it returns only
 * after a wait of `quietMs` with no arrival, so a message sent up to `quietMs` after the last one is
 * counted too.
 */
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
  const token = await e2e.tokenFor('u', tenant);
  const receiver = serviceBus.createReceiver(QUEUE);
  const lags: number[] = [];
  const deliveries: { reportId: string; message?: ServiceBusReceivedMessage }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const { reportId } = await post(token, firstIndex + i);
      // Skip (and complete) messages of other tenants (an earlier test's) while waiting for this one's.
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
  const { resources } = await e2e.reports.items
    .query<{ reportId: string; dispatchedAt: string | null; attempts: number; lastError: string | null }>({
      query: "SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'outbox'",
      parameters: [{ name: '@t', value: tenantId }],
    })
    .fetchAll();
  return resources;
}

beforeAll(async () => {
  await e2e.start();
  serviceBus = new ServiceBusClient(e2e.peer.connectionString);
});

afterAll(async () => {
  await serviceBus?.close();
  await e2e.cleanup();
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

  it('relays a replayed change feed batch once: one message per report, none for a report document', async () => {
    const tenant = `t-${randomUUID()}`;
    const createdAt = new Date().toISOString();
    const outboxDocs: OutboxDocument[] = Array.from({ length: 5 }, () => {
      const reportId = randomUUID();
      return {
        id: `outbox-${reportId}`,
        kind: 'outbox',
        tenantId: tenant,
        reportId,
        messageType: 'ExportRequested',
        payload: { tenantId: tenant, reportId, reportType: 'popularity', format: 'csv' },
        correlationId: randomUUID(),
        createdAt,
        dispatchedAt: null,
        attempts: 0,
        lastError: null,
      };
    });
    // A report document in the same batch, with fields a careless outbox filter could take for one.
    const reportDoc = {
      id: randomUUID(),
      kind: 'report',
      tenantId: tenant,
      status: 'Pending',
      correlationId: randomUUID(),
      createdAt,
      dispatchedAt: null,
      attempts: 0,
    };
    // The snapshots as the change feed carries them (system properties included), undispatched. The
    // host's own change feed sees the documents too: one more relay that duplicate detection absorbs.
    const snapshots: unknown[] = [];
    for (const doc of [...outboxDocs.slice(0, 2), reportDoc, ...outboxDocs.slice(2)]) {
      const { resource } = await e2e.reports.items.create<object>(doc);
      snapshots.push(resource);
    }

    const receiver = serviceBus.createReceiver(QUEUE);
    const received: ServiceBusReceivedMessage[] = [];
    let lastArrival = Date.now();
    const subscription = receiver.subscribe({
      processMessage: async (message) => {
        lastArrival = Date.now();
        if (message.applicationProperties?.tenantId === tenant) received.push(message);
      },
      processError: async () => undefined,
    });
    try {
      // The host's own change-feed function, called directly with the same batch twice.
      const outboxRelay = e2e.host.app.functions.find((f) => f.name === 'outboxRelay');
      if (outboxRelay?.trigger !== 'cosmosDB') throw new Error('outboxRelay is not a Cosmos DB trigger');
      const handler = outboxRelay.options.handler as (docs: unknown[], context: InvocationContext) => unknown;
      for (const round of [1, 2]) {
        await handler(
          snapshots,
          new InvocationContext({
            functionName: 'outboxRelay',
            invocationId: `replay-${round}`,
            logHandler: () => undefined,
          }),
        );
      }
      await until(
        'a message for every report',
        async () => (received.length >= 5 ? true : undefined),
        30_000,
      );
      // Then quiet for a sweep interval and a margin after the last arrival: a late duplicate would count.
      await until(
        'the queue to stay quiet',
        async () => (Date.now() - lastArrival >= QUIET_MS ? true : undefined),
        30_000,
      );
    } finally {
      await subscription.close();
      await receiver.close();
    }

    const perReport = new Map<string, number>();
    for (const m of received) {
      const reportId = String(m.applicationProperties?.reportId);
      perReport.set(reportId, (perReport.get(reportId) ?? 0) + 1);
    }
    expect(Object.fromEntries(perReport)).toEqual(Object.fromEntries(outboxDocs.map((d) => [d.reportId, 1])));
    expect(received.map((m) => String(m.messageId)).sort()).toEqual(outboxDocs.map((d) => d.id).sort());
    expect(received.some((m) => m.messageId === reportDoc.id)).toBe(false);
    expect((await outboxOf(tenant)).every((d) => d.dispatchedAt)).toBe(true);
  }, 90_000);

  it('loses nothing while Service Bus is down and delivers every report exactly once when it is back', async () => {
    const tenant = `t-${randomUUID()}`;
    const token = await e2e.tokenFor('u', tenant);
    const outageLogFrom = hostLog.length;
    await e2e.stopPeer();

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
    // The sweeper retries them while Service Bus is still down (after their backoff), and fails again.
    await until(
      'the sweeper to retry failed documents',
      async () => ((await outboxOf(tenant)).some((d) => d.attempts >= 2) ? true : undefined),
      60_000,
    );
    // Each failure record is a change too, yet the change feed made only the first attempt at each doc
    // (at most 100 docs, not one more relay per failure); retries are the sweeper's, with backoff.
    expect(changeFeedRelayed(outageLogFrom)).toBeLessThanOrEqual(100);

    await e2e.startPeer();
    const backAt = performance.now();
    await until(
      'every outbox document to be dispatched',
      async () => ((await outboxOf(tenant)).every((d) => d.dispatchedAt) ? true : undefined),
      60_000,
    );
    const maxAttempts = Math.max(...(await outboxOf(tenant)).map((d) => d.attempts));
    console.log(
      `outage: Service Bus back -> all 100 dispatched in ${Math.round(performance.now() - backAt)} ms ` +
        `(sweeper every 1 s, retry backoff 1 s doubling up to 2 s; at most ${maxAttempts} failed attempts a doc)`,
    );
    // A new client for the new peer (the test's old one was connected to the stopped one).
    await serviceBus.close();
    serviceBus = new ServiceBusClient(e2e.peer.connectionString);
    // Counted only once nothing more arrived for a sweep interval and a margin after the last message.
    const received = (await drain(serviceBus, QUIET_MS)).filter(
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
    await e2e.startHost({
      only: (f) => apiAndRelayOnly(f) && f.name !== 'outboxRelay',
      timerSchedules: { outboxSweeper: SWEEPER_SCHEDULE },
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
