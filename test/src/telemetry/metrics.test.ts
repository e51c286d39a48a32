// Each metric of the service, read through the OpenTelemetry SDK's in-memory metric exporter, moves when
// it should: the report service and the export worker run over in-memory stores (observed as in
// production), the sweeper and dead-letter functions built over stubbed services.
import { InvocationContext } from '@azure/functions';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/auth/verifier';
import type { Services } from '../../../src/services';
import { makeExportDeadLetters } from '../../../src/functions/exportDeadLetters';
import { makeOutboxSweeper } from '../../../src/functions/outboxSweeper';
import { createExportWorker, type WorkerLog } from '../../../src/services/export-worker';
import type { MessagePublisher } from '../../../src/services/ports';
import { createReportService } from '../../../src/services/reports';
import { METRIC } from '../../../src/telemetry/metrics';
import { observeClaim, observedReportStore } from '../../../src/telemetry/store';
import { MemoryReportFiles } from '../../fakes/memory-report-files';
import { MemoryReportStore } from '../../fakes/memory-report-store';
import { album, MemorySourceData, rating } from '../../fakes/memory-source-data';
import { installTestTelemetry } from '../../support/telemetry';

const telemetry = installTestTelemetry();
const ALICE: Principal = { tenantId: 'metrics-tenant', userId: 'alice', roles: [], isAdmin: false };
const quiet: WorkerLog = { log: () => undefined, warn: () => undefined, error: () => undefined };
const noPublisher: MessagePublisher = { publish: () => Promise.resolve() };

let clock: number;
let store: ReturnType<typeof observedReportStore>;
let memory: MemoryReportStore;

const now = () => new Date(clock);
const data = new MemorySourceData(
  [album('a1'), album('a2')],
  [rating('a1', 5, '2024-01-02T00:00:00.000Z'), rating('a2', 3, '2024-01-03T00:00:00.000Z')],
);

function services(clockOf: () => Date = now) {
  const reports = createReportService({
    store,
    downloads: { create: () => Promise.reject(new Error('unused')) },
    retentionSeconds: 60,
    now: clockOf,
  });
  const worker = createExportWorker({
    store,
    files: new MemoryReportFiles(),
    data,
    publisher: noPublisher,
    leaseSeconds: 30,
    maxAttempts: 3,
    retryBaseSeconds: 1,
    retryMaxSeconds: 1,
    retentionSeconds: 60,
    heartbeatMs: 10_000,
    now: clockOf,
    onClaimed: observeClaim,
  });
  return { reports, worker };
}

let range = 0;
async function create(reportType = 'popularity', format = 'csv') {
  range++;
  const result = await services().reports.create(ALICE, {
    reportType,
    body: { format, parameters: { fromDate: `2023-12-${10 + range}`, toDate: '2024-12-31' } },
    correlationId: 'c',
  });
  if (result.kind !== 'created') throw new Error(`not created: ${result.kind}`);
  return result.report;
}

beforeEach(() => {
  clock = Date.parse('2026-01-01T00:00:00.000Z');
  memory = new MemoryReportStore();
  store = observedReportStore(memory);
});

describe('report metrics', () => {
  it('counts a created report by type and format, and not a refused duplicate', async () => {
    const before = await telemetry.count(METRIC.created, { reportType: 'ratings', format: 'ndjson' });
    const report = await create('ratings', 'ndjson');
    expect(await telemetry.count(METRIC.created, { reportType: 'ratings', format: 'ndjson' })).toBe(
      before + 1,
    );
    const again = await services().reports.create(ALICE, {
      reportType: 'ratings',
      body: { format: 'ndjson', parameters: report.parameters },
      correlationId: 'c',
    });
    expect(again.kind).toBe('duplicate');
    expect(await telemetry.count(METRIC.created, { reportType: 'ratings', format: 'ndjson' })).toBe(
      before + 1,
    );
  });

  it('records queue wait at the claim, and completion, duration and rows/s when an export completes', async () => {
    const report = await create('popularity', 'json');
    const waitsBefore = (await telemetry.points(METRIC.queueWait)).length;
    const completedBefore = await telemetry.count(METRIC.completed, {
      reportType: 'popularity',
      format: 'json',
    });
    clock += 4_000; // the request waited 4 s for a worker
    const outcome = await services().worker.handle(
      { tenantId: ALICE.tenantId, reportId: report.id, reportType: 'popularity', format: 'json' },
      quiet,
    );
    expect(outcome).toBe('completed');
    expect(await telemetry.count(METRIC.completed, { reportType: 'popularity', format: 'json' })).toBe(
      completedBefore + 1,
    );
    const waits = await telemetry.points(METRIC.queueWait);
    const wait = waits.find((p) => p.attributes.format === 'json')?.value as { sum: number; count: number };
    expect(waits.length).toBeGreaterThan(waitsBefore - 1);
    expect(wait.count).toBeGreaterThanOrEqual(1);
    expect(wait.sum).toBeGreaterThanOrEqual(4);
    const durations = await telemetry.points(METRIC.exportDuration);
    expect(durations.find((p) => p.attributes.format === 'json')?.value).toMatchObject({ count: 1 });
    // The frozen clock makes the export take no time: no rows/s can be computed for it.
    expect((await telemetry.points(METRIC.exportRowsPerSecond)).length).toBe(0);
  });

  it('records rows/s for an export that took time, and counts Failed and Cancelled reports', async () => {
    const slow = await create('ratings', 'csv');
    const ticking = services(() => new Date((clock += 500))).worker;
    const request = { tenantId: ALICE.tenantId, reportId: slow.id, reportType: 'ratings', format: 'csv' };
    expect(await ticking.handle(request, quiet)).toBe('completed');
    const rate = (await telemetry.points(METRIC.exportRowsPerSecond)).find(
      (p) => p.attributes.reportType === 'ratings',
    );
    expect(rate?.value).toMatchObject({ count: 1 });
    expect((rate?.value as { sum: number }).sum).toBeGreaterThan(0);

    const failedBefore = await telemetry.count(METRIC.failed, { errorCode: 'UnsupportedFormat' });
    const broken = await create('popularity', 'csv');
    await memory.replace(
      { ...broken, format: 'nope' },
      (await memory.get(ALICE.tenantId, broken.id))?.etag ?? '',
    );
    expect(await services().worker.handle({ ...request, reportId: broken.id }, quiet)).toBe('failed');
    expect(await telemetry.count(METRIC.failed, { errorCode: 'UnsupportedFormat' })).toBe(failedBefore + 1);

    const cancelledBefore = await telemetry.count(METRIC.cancelled);
    const cancelled = await create('popularity', 'csv');
    expect((await services().reports.cancel(ALICE, cancelled.id)).kind).toBe('cancelled');
    expect(await telemetry.count(METRIC.cancelled)).toBe(cancelledBefore + 1);
    // A cancel that is refused (already terminal) counts nothing more.
    expect((await services().reports.cancel(ALICE, cancelled.id)).kind).toBe('terminal');
    expect(await telemetry.count(METRIC.cancelled)).toBe(cancelledBefore + 1);
  });
});

describe('outbox and dead-letter metrics', () => {
  function stubServices(
    oldestAgeMs: number,
    deadLettered: string[],
  ): Pick<Services, 'outbox' | 'exportWorker'> {
    const relayResult = {
      sent: 0,
      skipped: 0,
      failed: 0,
      oldestAgeMs: null,
      storeErrors: 0,
      storeError: null,
    };
    return {
      outbox: {
        relay: () => Promise.resolve(relayResult),
        sweep: () => Promise.resolve(relayResult),
        oldestUndispatchedAgeMs: () => Promise.resolve(oldestAgeMs),
      },
      exportWorker: {
        ...services().worker,
        deadLettered: (_body, properties) => {
          deadLettered.push(String(properties.reportId));
          return Promise.resolve('failed' as const);
        },
      },
    };
  }
  const timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  const context = (name: string) =>
    new InvocationContext({ functionName: name, invocationId: name, logHandler: () => undefined });

  it('sets the oldest undispatched outbox age after each sweep', async () => {
    const backlogged = makeOutboxSweeper(stubServices(420_000, []));
    if (backlogged.trigger !== 'timer') throw new Error('not a timer');
    await backlogged.options.handler(timer, context('outboxSweeper'));
    expect((await telemetry.points(METRIC.outboxOldestAge))[0]?.value).toBe(420);
    const drained = makeOutboxSweeper(stubServices(0, []));
    if (drained.trigger !== 'timer') throw new Error('not a timer');
    await drained.options.handler(timer, context('outboxSweeper'));
    expect((await telemetry.points(METRIC.outboxOldestAge))[0]?.value).toBe(0);
  });

  it('counts each dead-lettered request message by reason', async () => {
    const marked: string[] = [];
    const exportDeadLetters = makeExportDeadLetters(stubServices(0, marked));
    if (exportDeadLetters.trigger !== 'serviceBusQueue') throw new Error('not a queue trigger');
    const before = await telemetry.count(METRIC.deadLettered, { reason: 'MaxDeliveryCountExceeded' });
    const dlq = new InvocationContext({
      functionName: 'exportDeadLetters',
      invocationId: 'dlq',
      logHandler: () => undefined,
      triggerMetadata: {
        messageId: 'm1',
        applicationProperties: {
          reportId: 'r1',
          tenantId: 't',
          DeadLetterReason: 'MaxDeliveryCountExceeded',
        },
      },
    });
    await exportDeadLetters.options.handler({ tenantId: 't', reportId: 'r1' }, dlq);
    expect(marked).toEqual(['r1']);
    expect(await telemetry.count(METRIC.deadLettered, { reason: 'MaxDeliveryCountExceeded' })).toBe(
      before + 1,
    );
  });
});
