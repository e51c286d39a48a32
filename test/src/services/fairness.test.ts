// Fair sharing between tenants: the admission rule (a tenant's Processing exports plus its earlier Pending
// requests against its cap), the deferral as a scheduled re-delivery, and the worker's use of it.
import { beforeEach, describe, expect, it } from 'vitest';
import { exportRequestSchema } from '../../../src/domain/messages';
import { exportRequested, type ReportDocument } from '../../../src/domain/report';
import { createExportWorker } from '../../../src/services/export-worker';
import { deferralDelayMs } from '../../../src/domain/backoff';
import { createFairness, type FairnessOptions } from '../../../src/services/fairness';
import type { MessagePublisher, OutboundMessage } from '../../../src/services/ports';
import { MemoryReportFiles } from '../../fakes/memory-report-files';
import { MemoryReportStore } from '../../fakes/memory-report-store';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { reportDocument } from '../../support/report-document';

const NOW = Date.parse('2026-03-01T10:00:00.000Z');

/** What the fairness module sent; `fail` makes every send fail as a broker outage would. */
function recordingPublisher(): MessagePublisher & { sent: OutboundMessage[]; fail: boolean } {
  const recorder = {
    sent: [] as OutboundMessage[],
    fail: false,
    publish: (messages: OutboundMessage[]) =>
      recorder.fail
        ? Promise.reject(new Error('broker down'))
        : Promise.resolve(void recorder.sent.push(...messages)),
  };
  return recorder;
}

let store: MemoryReportStore;
let publisher: ReturnType<typeof recordingPublisher>;
let second = 0;

/** A report of `tenantId` asked one second after the previous one, stored with its outbox message. */
async function asked(
  tenantId: string,
  status: ReportDocument['status'] = 'Pending',
): Promise<ReportDocument> {
  second++;
  const doc = reportDocument({ tenantId, createdAt: new Date(NOW - 600_000 + second * 1000).toISOString() });
  await store.createWithOutbox(doc, exportRequested(doc, `outbox-${doc.id}`, doc.createdAt));
  if (status !== 'Pending') store.forceStatus(tenantId, doc.id, status);
  return { ...doc, status };
}

function fairness(overrides: Partial<FairnessOptions> = {}) {
  let n = 0;
  return createFairness({
    store,
    publisher,
    maxActivePerTenant: 2,
    chunkWindow: 4,
    deferMs: 1_000,
    maxDeferMs: 5_000,
    now: () => new Date(NOW),
    newId: () => `id-${++n}`,
    ...overrides,
  });
}

beforeEach(() => {
  store = new MemoryReportStore();
  publisher = recordingPublisher();
});

describe('deferralDelayMs', () => {
  it('waits one step in the next round, one more per round further back, up to the maximum', () => {
    expect(deferralDelayMs(1, 2, 1_000, 5_000)).toBe(0);
    expect(deferralDelayMs(2, 2, 1_000, 5_000)).toBe(1_000);
    expect(deferralDelayMs(3, 2, 1_000, 5_000)).toBe(1_000);
    expect(deferralDelayMs(4, 2, 1_000, 5_000)).toBe(2_000);
    expect(deferralDelayMs(7, 2, 1_000, 5_000)).toBe(3_000);
    expect(deferralDelayMs(500, 2, 1_000, 5_000)).toBe(5_000);
    expect(deferralDelayMs(500, 0, 1_000, 5_000)).toBe(0);
  });
});

describe('admission', () => {
  it('admits while the tenant has fewer Processing and earlier Pending reports than its cap', async () => {
    await asked('a', 'Processing');
    const next = await asked('a');
    expect(await fairness().admit(next)).toBe('admit');
    expect(publisher.sent).toEqual([]);
  });

  it('defers a request over the cap as a scheduled re-delivery of the same request', async () => {
    await asked('a', 'Processing');
    await asked('a', 'Processing');
    const waiting = await asked('a');
    const deferred: number[] = [];
    const admission = fairness({ onDeferred: (_report, delay) => deferred.push(delay) });
    expect(await admission.admit(waiting)).toBe('deferred');
    expect(await admission.admit(waiting)).toBe('deferred');
    expect(deferred).toEqual([1_000, 1_000]);
    const [first, again] = publisher.sent;
    expect(first).toMatchObject({
      correlationId: waiting.correlationId,
      subject: 'ExportRequested',
      applicationProperties: { tenantId: 'a', reportId: waiting.id },
      scheduledEnqueueTimeUtc: new Date(NOW + 1_000),
    });
    expect(exportRequestSchema.parse(first?.body)).toEqual({
      tenantId: 'a',
      reportId: waiting.id,
      reportType: waiting.reportType,
      format: waiting.format,
    });
    // Each deferral is a message of its own, which duplicate detection does not drop.
    expect(first?.messageId).not.toBe(again?.messageId);
  });

  it('keeps the order of a tenant’s requests: an earlier Pending one is ahead of a later one', async () => {
    await asked('a', 'Processing');
    const earlier = await asked('a');
    const later = await asked('a');
    const admission = fairness();
    expect(await admission.admit(later)).toBe('deferred');
    expect(await admission.admit(earlier)).toBe('admit');
  });

  it('counts only the tenant’s own reports, and no finished ones', async () => {
    for (let i = 0; i < 5; i++) await asked('busy', 'Processing');
    await asked('a', 'Completed');
    await asked('a', 'Failed');
    await asked('a', 'Cancelled');
    expect(await fairness().admit(await asked('a'))).toBe('admit');
  });

  it('admits the takeover of a lapsed Processing report, and everything with the cap off', async () => {
    for (let i = 0; i < 3; i++) await asked('a', 'Processing');
    const lapsed = await asked('a', 'Processing');
    expect(await fairness().admit(lapsed)).toBe('admit');
    expect(await fairness({ maxActivePerTenant: 0 }).admit(await asked('a'))).toBe('admit');
    expect(publisher.sent).toEqual([]);
  });

  it('throws when the deferral cannot be sent, so that the current delivery is repeated', async () => {
    await asked('a', 'Processing');
    await asked('a', 'Processing');
    publisher.fail = true;
    await expect(fairness().admit(await asked('a'))).rejects.toThrow('broker down');
  });

  it('refuses a negative cap or window, or a zero wait', () => {
    expect(() => fairness({ maxActivePerTenant: -1 })).toThrow(RangeError);
    expect(() => fairness({ chunkWindow: -1 })).toThrow(RangeError);
    expect(() => fairness({ chunkWindow: 1.5 })).toThrow(RangeError);
    expect(() => fairness({ deferMs: 0 })).toThrow(RangeError);
  });
});

describe('the reports that wait their turn', () => {
  it('are all of a tenant’s Pending ones but its oldest that fit its free places', async () => {
    await asked('a', 'Processing');
    const [first, second, third] = [await asked('a'), await asked('a'), await asked('a')];
    const other = await asked('b');
    const waits = await fairness().waitingOf('a');
    // Two places, one taken: the oldest Pending report can start, the later ones wait.
    expect([first, second, third].map((r) => waits(r))).toEqual([false, true, true]);
    expect((await fairness().waitingOf('b'))(other)).toBe(false);
    expect((await fairness({ maxActivePerTenant: 0 }).waitingOf('a'))(third)).toBe(false);
    // The same rule as admission: the ones that wait are the ones it would defer.
    expect(await fairness().admit(second)).toBe('deferred');
  });
});

describe('the chunk window', () => {
  it('gives one export alone the whole window, and shares it between the tenant’s exports under way', async () => {
    const share = fairness({ chunkWindow: 4 });
    expect(await share.chunkWindowOf('a')).toBe(4);
    await asked('a', 'Processing');
    expect(await share.chunkWindowOf('a')).toBe(4);
    await asked('a', 'Processing');
    expect(await share.chunkWindowOf('a')).toBe(2);
    await asked('a', 'Processing');
    expect(await share.chunkWindowOf('a')).toBe(2);
    for (let i = 0; i < 5; i++) await asked('a', 'Processing');
    // At least one chunk each, whatever the number of exports.
    expect(await share.chunkWindowOf('a')).toBe(1);
    // Another tenant's exports take nothing from this one's window.
    expect(await share.chunkWindowOf('b')).toBe(4);
  });

  it('is unbounded with the window off', async () => {
    await asked('a', 'Processing');
    expect(await fairness({ chunkWindow: 0 }).chunkWindowOf('a')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('a freed place', () => {
  it('sends the tenant’s oldest waiting requests at once, one per free place, in the order asked', async () => {
    await asked('a', 'Processing');
    const first = await asked('a');
    const second = await asked('a');
    await asked('a');
    await asked('b');
    const resumed: number[] = [];
    const share = fairness({ maxActivePerTenant: 3, onResumed: (n) => resumed.push(n) });
    expect(await share.placeFreed('a', 'ended-1')).toBe(2);
    expect(resumed).toEqual([2]);
    expect(publisher.sent.map((m) => (m.body as { reportId: string }).reportId)).toEqual([
      first.id,
      second.id,
    ]);
    for (const message of publisher.sent) {
      // Sent now, not scheduled, and named after the ended export so that a repeat is dropped.
      expect(message.scheduledEnqueueTimeUtc).toBeUndefined();
      expect(message.messageId).toMatch(/^resume-.*-ended-1$/);
      expect(exportRequestSchema.parse(message.body)).toMatchObject({ tenantId: 'a' });
    }
  });

  it('sends nothing while the tenant’s places are full, with nothing waiting, or with the cap off', async () => {
    await asked('a', 'Processing');
    await asked('a', 'Processing');
    await asked('a');
    expect(await fairness().placeFreed('a', 'x')).toBe(0);
    expect(await fairness().placeFreed('nobody', 'x')).toBe(0);
    expect(await fairness({ maxActivePerTenant: 0 }).placeFreed('a', 'x')).toBe(0);
    expect(publisher.sent).toEqual([]);
  });

  it('throws when the broker is down, so the caller knows the deferral must do it', async () => {
    await asked('a');
    publisher.fail = true;
    await expect(fairness().placeFreed('a', 'x')).rejects.toThrow('broker down');
  });
});

describe('the worker with fair admission', () => {
  it('leaves a deferred report Pending and unclaimed, and claims it once its turn comes', async () => {
    const running = [await asked('a', 'Processing'), await asked('a', 'Processing')];
    const waiting = await asked('a');
    const admission = fairness();
    const worker = createExportWorker({
      store,
      files: new MemoryReportFiles(),
      data: new MemorySourceData([]),
      publisher,
      leaseSeconds: 30,
      maxAttempts: 3,
      retryBaseSeconds: 1,
      retryMaxSeconds: 1,
      retentionSeconds: 60,
      now: () => new Date(NOW),
      share: admission,
    });
    const request = { tenantId: 'a', reportId: waiting.id, reportType: 'popularity', format: 'csv' };
    const log = { log: () => undefined, warn: () => undefined, error: () => undefined };
    expect(await worker.handle(request, log)).toBe('deferred');
    expect((await store.get('a', waiting.id))?.doc).toMatchObject({ status: 'Pending', attempts: 0 });
    expect(publisher.sent).toHaveLength(1);

    store.forceStatus('a', running[0]?.id ?? '', 'Completed');
    expect(await worker.handle(publisher.sent[0]?.body, log)).not.toBe('deferred');
    expect((await store.get('a', waiting.id))?.doc.attempts).toBe(1);
  });
});
