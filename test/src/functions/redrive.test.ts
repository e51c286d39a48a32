// Work whose message left the queue unprocessed, end to end on the local host through the real SDK clients
// and the stand-ins: a single-pass report whose request message is received and completed without being
// run (as a purge or an expired time to live would remove it) is sent again by the watchdog after the
// grace period and completes, once; and a re-drive racing the original message still makes one file and
// one completion; and a stranded report holds its user's quota place for the grace period, not longer.
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../support/api';
import { apiAndRelayOnly } from '../../support/app-host';
import { e2eFixture } from '../../support/e2e-fixture';

const GRACE_SECONDS = 10;
const e2e = e2eFixture({
  name: 'redrive',
  env: {
    RECONCILE_GRACE_SECONDS: String(GRACE_SECONDS),
    RECONCILE_MAX_REDRIVES: '3',
    // The grace period must be longer than the longest retry delay (config.ts).
    WORKER_RETRY_MAX_SECONDS: '5',
    // One active report per user, so that a report holding its place shows as a 429.
    USER_MAX_ACTIVE_REPORTS: '1',
  },
  seed: { albums: 50, ratings: 2_000, seed: 3 },
  timerSchedules: { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' },
  changeFeedPollMs: 200,
  debug: 'DEBUG_EXPORTS',
});
const client = e2e.api;

beforeAll(() => e2e.start(), 240_000);

afterAll(() => e2e.cleanup());

/** Receives every message on the queue and completes it without running it; their report ids. */
async function drainQueue(): Promise<string[]> {
  const sb = new ServiceBusClient(e2e.peer.connectionString);
  const receiver = sb.createReceiver(e2e.config.serviceBus.reportRequestsQueue);
  const removed: string[] = [];
  try {
    for (;;) {
      const batch = await receiver.receiveMessages(50, { maxWaitTimeInMs: 1_500 });
      if (batch.length === 0) return removed;
      for (const message of batch) {
        removed.push((message.body as { reportId: string }).reportId);
        await receiver.completeMessage(message);
      }
    }
  } finally {
    await receiver.close();
    await sb.close();
  }
}

describe('stalled work sent again by the watchdog', () => {
  it('completes a single-pass report whose message was removed from the queue, after the grace period', async () => {
    // The API and the relay only: the request reaches the queue, and nothing takes it.
    await e2e.startHost({ only: apiAndRelayOnly });
    const posted = Date.now();
    const response = await client.call('POST', '/api/reports/popularity', {
      format: 'csv',
      parameters: { fromDate: '2019-01-01', toDate: '2019-12-31', top: 5 },
    });
    expect(response.status).toBe(202);
    const id = response.body.reportId as string;
    let removed: string[] = [];
    for (let i = 0; i < 20 && !removed.includes(id); i++) removed = [...removed, ...(await drainQueue())];
    expect(removed).toContain(id);

    // Now the whole app: the report is Pending with no message anywhere, until the watchdog sends it again.
    await e2e.startHost();
    const done = await client.untilStatus(id, ['Completed', 'Failed'], 90_000);
    expect(done.status).toBe('Completed');
    // Not before the grace period (counted from the report's last write, stamped in whole seconds).
    expect(Date.now() - posted).toBeGreaterThanOrEqual((GRACE_SECONDS - 1) * 1000);
    expect(e2e.hostLog.some((line) => line.includes(`report ${id}: Pending without progress`))).toBe(true);
    expect(await e2e.blobsOf(id)).toHaveLength(1);
  }, 180_000);

  it('lets a stranded report hold its user’s quota place for the grace period and no longer', async () => {
    // The API, the relay and the watchdog, and no worker: every request waits on the queue, or is removed.
    await e2e.startHost({
      only: (definition) => apiAndRelayOnly(definition) || definition.name === 'exportWatchdog',
    });
    const token = await e2e.tokenFor('quota-user');
    const user = apiClient({ baseUrl: () => e2e.host.url, token: () => token });
    const ask = (top: number) =>
      user.call('POST', '/api/reports/popularity', {
        format: 'csv',
        parameters: { fromDate: '2019-03-01', toDate: '2019-03-31', top },
      });
    const first = await ask(3);
    expect(first.status).toBe(202);
    const id = first.body.reportId as string;
    let removed: string[] = [];
    for (let i = 0; i < 20 && !removed.includes(id); i++) removed = [...removed, ...(await drainQueue())];
    expect(removed).toContain(id);
    // Its one place is taken by the stranded report.
    expect((await ask(4)).status).toBe(429);

    // After the grace period the watchdog sends it again, and from then on it holds no place.
    const deadline = Date.now() + (GRACE_SECONDS + 30) * 1000;
    while (!e2e.hostLog.some((line) => line.includes(`report ${id}: Pending without progress`))) {
      if (Date.now() > deadline) throw new Error('the watchdog did not send the stranded report again');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await ask(4)).status).toBe(202);
    expect((await user.call('GET', `/api/reports/${id}`)).body.status).toBe('Pending');
  }, 180_000);

  it('makes one file and one completion when a re-drive races the original message', async () => {
    await e2e.startHost({ only: apiAndRelayOnly });
    const response = await client.call('POST', '/api/reports/popularity', {
      format: 'csv',
      parameters: { fromDate: '2019-02-01', toDate: '2019-11-30', top: 7 },
    });
    const id = response.body.reportId as string;
    // The original stays on the queue; after the grace period the watchdog sends another.
    await new Promise((resolve) => setTimeout(resolve, (GRACE_SECONDS + 1) * 1000));
    await e2e.startHost();
    const done = await client.untilStatus(id, ['Completed', 'Failed'], 90_000);
    expect(done.status).toBe('Completed');
    // Both messages were handled: one ran the export, the other found it claimed or finished.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const completions = e2e.hostLog.filter(
      (line) => line.includes(`report ${id}`) && line.includes('Completed:'),
    );
    expect(completions).toHaveLength(1);
    expect(await e2e.blobsOf(id)).toHaveLength(1);
  }, 180_000);
});
