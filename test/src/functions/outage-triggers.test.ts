// The queue triggers while the database is down, end to end on the local host through the real SDK
// clients: with this file's own Cosmos DB stand-in stopped while ordinary requests, dead-lettered
// requests and report events wait on their queues, every queue-triggered function (export worker, dead
// letters, webhook delivery) makes a bounded number of attempts (it backs off: outage-backoff.ts), the
// host's log stays short and carries no stack traces, and once the database is back every report ends
// in a clear state and every event is delivered. With two deliveries to a message before it is
// dead-lettered, no ordinary request or event is: a held delivery is put back as a new message. The
// timers fail each run in one line meanwhile.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHostJson } from '../../../dev/local-host/host-json';
import { issueDevToken } from '../../../dev/token';
import { OUTAGE_BACKOFF } from '../../../src/functions/outage-backoff';
import { apiClient, until, type ApiClient } from '../../support/api';
import { apiAndRelayOnly } from '../../support/app-host';
import { e2eFixture } from '../../support/e2e-fixture';
import { freePort } from '../../support/net';

const OUTAGE_MS = 45_000;
const QUEUE_FUNCTIONS = ['exportWorker', 'exportDeadLetters', 'webhookDelivery'] as const;
const DEAD_LETTER_REASON = 'OutageTest';
const DEAD_LETTER_DESCRIPTION = 'moved to the dead-letter queue by the test';

const e2e = e2eFixture({
  name: 'outage-triggers',
  restartableCosmos: true,
  env: {
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    EXPORT_CHUNK_TARGET_ROWS: '10000000',
    // The dead-lettered reports must end through the dead-letter function, not a watchdog re-drive.
    RECONCILE_GRACE_SECONDS: '86400',
    // Two deliveries, and a message is dead-lettered: far fewer than the outage's held deliveries. The
    // ordinary requests and the events still end well, as a held delivery is put back as a new message.
    SERVICEBUS_MAX_DELIVERY_COUNT: '2',
  },
  seed: { albums: 10, ratings: 400, seed: 30 },
  timerSchedules: { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' },
  changeFeedPollMs: 200,
  debug: 'DEBUG_OUTAGE',
});

// The dead-lettered requests are another tenant's: a tenant's Pending reports wait their turn in Cosmos
// (fairness.ts), so an export of the same tenant ending would send their requests again and complete them.
const otherTenant = `t-${randomUUID()}`;
let otherToken = '';
const other = apiClient({ baseUrl: () => e2e.host.url, token: () => otherToken });

/** A webhook receiver on 127.0.0.1 that keeps the event types it was sent. */
let receiver: Server | undefined;
const received: { type: string; reportId: string }[] = [];

beforeAll(async () => {
  await e2e.start();
  otherToken = await e2e.tokenFor('bob', otherTenant);
  const port = await freePort();
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        type: string;
        data: { reportId: string };
      };
      received.push({ type: event.type, reportId: event.data.reportId });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver?.listen(port, '127.0.0.1', resolve));
  const adminToken = await issueDevToken({
    tenantId: e2e.tenant,
    userId: 'root',
    admin: true,
    dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR,
  });
  const admin = apiClient({ baseUrl: () => e2e.host.url, token: () => adminToken });
  const hook = await admin.call('POST', '/api/webhooks', {
    url: `http://127.0.0.1:${port}/hooks`,
    events: ['report.cancelled'],
    description: 'outage test',
  });
  expect(hook.status).toBe(201);
}, 120_000);

afterAll(async () => {
  const server = receiver;
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await e2e.cleanup();
});

async function createReport(month: number, api: ApiClient = e2e.api): Promise<string> {
  const response = await api.call('POST', '/api/reports/popularity', {
    format: 'csv',
    parameters: { fromDate: `2019-${String(month).padStart(2, '0')}-01`, toDate: '2019-12-31', top: 5 },
  });
  expect(response.status).toBe(202);
  return response.body.reportId as string;
}

/** Moves the request messages of `reportIds` to the report-requests dead-letter queue, as the broker would. */
async function deadLetter(reportIds: string[]): Promise<void> {
  const sb = new ServiceBusClient(e2e.peer.connectionString);
  const receiver = sb.createReceiver(e2e.config.serviceBus.reportRequestsQueue);
  const moved = new Set<string>();
  try {
    await until(
      'the requests to dead-letter',
      async () => {
        const batch = await receiver.receiveMessages(20, { maxWaitTimeInMs: 1_000 });
        for (const message of batch) {
          const reportId = (message.body as { reportId: string }).reportId;
          if (reportIds.includes(reportId)) {
            await receiver.deadLetterMessage(message, {
              deadLetterReason: DEAD_LETTER_REASON,
              deadLetterErrorDescription: DEAD_LETTER_DESCRIPTION,
            });
            moved.add(reportId);
          } else {
            await receiver.abandonMessage(message);
          }
        }
        return moved.size === reportIds.length || undefined;
      },
      20_000,
    );
  } finally {
    await receiver.close();
    await sb.close();
  }
}

/** One invocation of a queue function, from the host's outcome line: when it started and how it ended. */
interface Invocation {
  name: string;
  startedAt: number;
  outcome: string;
}

function invocations(): Invocation[] {
  const out: Invocation[] = [];
  for (const { line, at } of e2e.hostLogTimes) {
    const m = /^(\w+) \([0-9a-f-]+\) (Succeeded|Failed) in (\d+) ms/.exec(line);
    if (m && (QUEUE_FUNCTIONS as readonly string[]).includes(m[1] ?? ''))
      out.push({ name: m[1] ?? '', startedAt: at - Number(m[3]), outcome: m[2] ?? '' });
  }
  return out;
}

describe('queue triggers with the database down', () => {
  it('make a bounded number of attempts, log briefly, and end every report once it is back', async () => {
    // The API and the relay only (no export worker, dead-letter function or webhook delivery): the
    // requests and the events wait on their queues.
    await e2e.startHost({ only: (f) => apiAndRelayOnly(f) && f.name !== 'webhookDelivery' });
    const ordinary = [await createReport(1), await createReport(2), await createReport(3)];
    const deadLettered = [await createReport(4, other), await createReport(5, other)];
    const cancelled = [await createReport(6), await createReport(7)];
    const requests = e2e.config.serviceBus.reportRequestsQueue;
    const events = e2e.config.serviceBus.reportEventsQueue;
    await until(
      '7 requests on the queue',
      async () => e2e.peer.stats(requests).active === 7 || undefined,
      20_000,
    );
    for (const id of cancelled) {
      expect((await e2e.api.call('DELETE', `/api/reports/${id}`)).body).toMatchObject({
        status: 'Cancelled',
      });
    }
    await until(
      '2 events on the queue',
      async () => e2e.peer.stats(events).active === 2 || undefined,
      20_000,
    );
    await deadLetter(deadLettered);
    expect(e2e.peer.stats(requests)).toMatchObject({ active: 5, deadLettered: 2 });

    // The database goes down; then the whole host starts, and it stays down for OUTAGE_MS.
    await e2e.stopHost();
    await e2e.stopCosmos();
    const outageStarted = Date.now();
    await e2e.startHost();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const outageEnded = Date.now();
    const outageLogTimes = e2e.hostLogTimes.filter(({ at }) => at <= outageEnded);
    const outageLog = outageLogTimes.map(({ line }) => line);
    await e2e.startCosmos();

    // A delivery held when the database came back ends at most one hold later: then every invocation
    // that started during the outage has logged its outcome line.
    const hold = OUTAGE_BACKOFF.maxMs + 5_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnded + hold - Date.now())));

    // The bound per function. It holds a failed delivery for d_k = min(1 s * 2^(k-1), 30 s), k counting
    // the function's failed deliveries, with at most `slots` (maxConcurrentCalls) at a time. Of the N
    // deliveries that start during an outage of T seconds, all but the last of each slot have ended
    // within it, and each of those took at least its hold, so the sum of the N - slots smallest holds
    // is at most slots * T: S(n) = 1 + 2 + 4 + 8 + 16 + 30 (n - 5) <= 4 * 45 = 180 gives n <= 9, so
    // N <= 13 per function. (Without the back-off, a delivery that fails at once is given back and
    // delivered again at once: thousands in the same time.)
    const slots = readHostJson().extensions.serviceBus.maxConcurrentCalls;
    const seconds = (outageEnded - outageStarted) / 1000;
    let held = 0;
    let n = 0;
    for (let k = 1; ; k++) {
      const d = Math.min((OUTAGE_BACKOFF.baseMs / 1000) * 2 ** (k - 1), OUTAGE_BACKOFF.maxMs / 1000);
      if (held + d > slots * seconds) break;
      held += d;
      n = k;
    }
    const bound = n + slots;
    const during = invocations().filter((i) => i.startedAt >= outageStarted && i.startedAt < outageEnded);
    const counts = Object.fromEntries(
      QUEUE_FUNCTIONS.map((name) => [name, during.filter((i) => i.name === name).length]),
    );
    console.log(`outage of ${seconds} s: invocations ${JSON.stringify(counts)}, bound ${bound} each`);
    for (const name of QUEUE_FUNCTIONS) {
      // Each trigger had messages waiting and tried them (so the counts are of real attempts).
      expect(counts[name], name).toBeGreaterThan(0);
      expect(counts[name], name).toBeLessThanOrEqual(bound);
    }
    // None did its work: each was held, then given back (dead letters) or put back on its queue as a new
    // message, which ends the delivery as a success without a word from the handler.
    expect(during.filter((i) => i.name === 'exportDeadLetters' && i.outcome === 'Succeeded')).toEqual([]);
    const handled = /\] information: (export request|report event|dead-lettered request) /;
    expect(outageLogTimes.filter(({ line }) => handled.test(line)).map(({ line }) => line)).toEqual([]);

    // The log during the outage: no stack traces, and short. Each queue function logs its outcome line
    // per delivery and the outage once (the interval is a minute); each timer (two, every second) one
    // line per run and the outage once; the host its start, and the change feed poller and each
    // receiver a failure once per distinct error: a handful.
    const lines = outageLog.flatMap((line) => line.split('\n'));
    const timerLines = 2 * (Math.ceil(seconds) + 2);
    const limit = QUEUE_FUNCTIONS.length * (bound + 1) + timerLines + 10;
    console.log(`outage log: ${lines.length} lines, limit ${limit}`);
    expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
    expect(lines.length).toBeLessThanOrEqual(limit);

    // Every report ends in a clear state.
    for (const id of ordinary) await e2e.api.untilStatus(id, ['Completed'], 60_000);
    for (const id of deadLettered) {
      const report = await other.untilStatus(id, ['Failed'], 60_000);
      expect(report.error).toMatchObject({ code: 'DeadLettered' });
      expect(String((report.error as { message: string }).message)).toContain(
        `${DEAD_LETTER_REASON}: ${DEAD_LETTER_DESCRIPTION}`,
      );
    }
    for (const id of cancelled) expect((await e2e.api.report(id)).status).toBe('Cancelled');
    for (const id of ordinary) expect(await e2e.blobsOf(id)).toHaveLength(1);
    for (const id of cancelled) expect(await e2e.blobsOf(id)).toEqual([]);
    const statuses: string[] = [];
    for (const api of [e2e.api, other]) {
      const list = await api.call('GET', '/api/reports');
      statuses.push(...(list.body.items as { status: string }[]).map((r) => r.status));
    }
    expect(statuses).toHaveLength(7);
    expect(statuses.filter((s) => s === 'Pending' || s === 'Processing')).toEqual([]);
    await until('both cancellation events', async () => received.length >= 2 || undefined, 60_000);
    expect(received.map((e) => e.reportId).sort()).toEqual([...cancelled].sort());
    expect(e2e.peer.stats(requests)).toMatchObject({ active: 0, deadLettered: 0 });
    expect(e2e.peer.stats(events)).toMatchObject({ active: 0, deadLettered: 0 });
  }, 240_000);
});
