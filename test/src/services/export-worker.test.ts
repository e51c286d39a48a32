// The export worker's use cases with in-memory fakes: claiming, completion, duplicates, cancellation,
// failures, retries with backoff, lease loss, progress throttling, the watchdog and dead-lettering.
import { DependencyUnavailableError, PoisonMessageError, ReportTypeError } from '../../../src/domain/errors';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exportRequested, type ReportDocument } from '../../../src/domain/report';
import { toResource } from '../../../src/http/resource';
import { createPdfWriter } from '../../../src/formats/pdf';
import type { SourceData } from '../../../src/domain/report-types/source-data';
import {
  type ReportTypeDefinition,
  type Row,
  type RowSourceContext,
} from '../../../src/domain/report-types/types';
import { createExportWorker, type ExportWorkerOptions } from '../../../src/services/export-worker';
import type { MessagePublisher, OutboundMessage, Stored } from '../../../src/services/ports';
import { MemoryReportFiles } from '../../fakes/memory-report-files';
import { MemoryReportStore } from '../../fakes/memory-report-store';
import { settleOnFakeTime, sleep, useFakeTimers } from '../../support/fake-time';
import { reportDocument } from '../../support/report-document';
import { recordingLog } from '../../support/worker-log';

const TENANT = 'tenant-1';
const RETENTION = 86_400;

const quietLog = recordingLog();

const noData: SourceData = {
  albums: () => ({
    [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
  }),
  ratings: () => ({
    [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
  }),
  countRatings: () => Promise.resolve(0),
  ratingStats: () => Promise.resolve({ count: 0, first: null, last: null }),
};

interface Behaviour {
  pages: number;
  pageSize: number;
  /** Awaited before each page (a slow source). */
  beforePage?: (index: number, context: RowSourceContext) => Promise<void> | void;
}

let behaviour: Behaviour;

/** A test report type: `pages` pages of `pageSize` numbered rows, with progress, honouring the signal. */
const numbers: ReportTypeDefinition<{ label: string }> = {
  name: 'numbers',
  title: 'Numbers',
  description: 'numbered rows',
  parameters: z.strictObject({ label: z.string().default('n') }),
  formats: ['csv'],
  columns: [
    { key: 'n', header: 'N' },
    { key: 'label', header: 'Label' },
  ],
  async *rows(parameters, context): AsyncIterable<readonly Row[]> {
    const total = behaviour.pages * behaviour.pageSize;
    for (let page = 0; page < behaviour.pages; page++) {
      context.signal.throwIfAborted();
      await behaviour.beforePage?.(page, context);
      context.signal.throwIfAborted();
      const rows = Array.from({ length: behaviour.pageSize }, (_, i) => ({
        n: page * behaviour.pageSize + i + 1,
        label: parameters.label,
      }));
      context.progress((page + 1) * behaviour.pageSize, total);
      yield rows;
    }
  },
};

class FakePublisher implements MessagePublisher {
  readonly sent: OutboundMessage[] = [];
  fail = false;
  publish(messages: OutboundMessage[]): Promise<void> {
    if (this.fail) return Promise.reject(new Error('broker down'));
    this.sent.push(...messages);
    return Promise.resolve();
  }
}

let store: MemoryReportStore;
let files: MemoryReportFiles;
let publisher: FakePublisher;
let clock: number;
let idCounter: number;

function worker(overrides: Partial<ExportWorkerOptions> = {}) {
  return createExportWorker({
    store,
    files,
    data: noData,
    publisher,
    leaseSeconds: 30,
    maxAttempts: 3,
    retryBaseSeconds: 2,
    retryMaxSeconds: 60,
    retentionSeconds: RETENTION,
    heartbeatMs: 20,
    reportType: (name) => (name === 'numbers' ? numbers : undefined),
    now: () => new Date(clock),
    newId: () => `worker-${++idCounter}`,
    random: () => 0.5,
    ...overrides,
  });
}

async function pending(id: string, overrides: Partial<ReportDocument> = {}): Promise<ReportDocument> {
  const report = reportDocument({
    id,
    tenantId: TENANT,
    reportType: 'numbers',
    parameters: { label: 'x' },
    createdAt: new Date(clock).toISOString(),
    ...overrides,
  });
  await store.createWithOutbox(report, exportRequested(report, `outbox-${id}`, report.createdAt));
  return report;
}

const message = (id: string) => ({ tenantId: TENANT, reportId: id, reportType: 'numbers', format: 'csv' });

async function reportOf(id: string): Promise<ReportDocument> {
  const stored = await store.get(TENANT, id);
  if (!stored) throw new Error(`no report ${id}`);
  return stored.doc;
}

beforeEach(() => {
  store = new MemoryReportStore();
  files = new MemoryReportFiles();
  publisher = new FakePublisher();
  clock = Date.parse('2025-03-01T12:00:00.000Z');
  idCounter = 0;
  behaviour = { pages: 3, pageSize: 2 };
  quietLog.lines.length = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('export worker: the happy path', () => {
  it('claims the report, streams every row into the file and completes it once', async () => {
    await pending('r1');
    expect(await worker().handle(message('r1'), quietLog)).toBe('completed');

    const report = await reportOf('r1');
    expect(report).toMatchObject({
      status: 'Completed',
      rowCount: 6,
      truncated: false,
      fileName: 'numbers-r1.csv',
      blobName: `${TENANT}/r1/numbers-r1.csv`,
      attempts: 1,
      leaseOwner: null,
      leaseExpiresAt: null,
      ttl: RETENTION,
      error: null,
      progress: { processedRows: 6, totalRows: 6, percent: 100, etaSeconds: 0 },
    });
    expect(report.startedAt).not.toBeNull();
    expect(report.completedAt).not.toBeNull();
    const file = files.files.get(`${TENANT}/r1/numbers-r1.csv`);
    expect(file?.content).toBe('N,Label\r\n1,x\r\n2,x\r\n3,x\r\n4,x\r\n5,x\r\n6,x\r\n');
    expect(report.sizeBytes).toBe(Buffer.byteLength(file?.content ?? ''));
    expect(file?.headers).toEqual({
      contentType: 'text/csv; charset=utf-8',
      contentDisposition: 'attachment; filename="numbers-r1.csv"',
    });
  });

  it('says the file was cut when the format caps its rows and the source has more', async () => {
    const capped = (maxRows: number) => ({ ...createPdfWriter({ maxRows }), name: 'csv' });
    await pending('r1');
    expect(await worker({ format: () => capped(4) }).handle(message('r1'), quietLog)).toBe('completed');
    expect(await reportOf('r1')).toMatchObject({ status: 'Completed', rowCount: 4, truncated: true });
    expect(toResource(await reportOf('r1'))).toMatchObject({ rowCount: 4, truncated: true });
    // Its progress is the file's rows, all done: not the rows read up to the cut.
    expect((await reportOf('r1')).progress).toEqual({
      processedRows: 4,
      totalRows: 4,
      percent: 100,
      etaSeconds: 0,
    });
    // Exactly as many rows as the cap: nothing was left out.
    await pending('r2');
    expect(await worker({ format: () => capped(6) }).handle(message('r2'), quietLog)).toBe('completed');
    expect(await reportOf('r2')).toMatchObject({ status: 'Completed', rowCount: 6, truncated: false });
  });

  it('treats a message delivered twice as one request: one completion, one upload', async () => {
    await pending('r1');
    const w = worker();
    expect(await w.handle(message('r1'), quietLog)).toBe('completed');
    const completedAt = (await reportOf('r1')).completedAt;
    expect(await w.handle(message('r1'), quietLog)).toBe('skipped-terminal');
    expect(files.uploads).toBe(1);
    expect((await reportOf('r1')).completedAt).toBe(completedAt);
  });

  it('leaves a report alone while another worker holds a live lease on it', async () => {
    await pending('r1', {
      status: 'Processing',
      leaseOwner: 'someone',
      leaseExpiresAt: new Date(clock + 10_000).toISOString(),
      attempts: 1,
    });
    expect(await worker().handle(message('r1'), quietLog)).toBe('skipped-claimed');
    expect(files.uploads).toBe(0);
    expect((await reportOf('r1')).leaseOwner).toBe('someone');
  });

  it('takes over a Processing report whose lease lapsed', async () => {
    await pending('r1', {
      status: 'Processing',
      leaseOwner: 'crashed',
      leaseExpiresAt: new Date(clock - 1).toISOString(),
      attempts: 1,
    });
    quietLog.lines.length = 0;
    expect(await worker().handle(message('r1'), quietLog)).toBe('completed');
    expect(await reportOf('r1')).toMatchObject({ status: 'Completed', attempts: 2 });
    expect(quietLog.lines).toContain(
      'report r1: lease expired on attempt 1; taken over by a redelivered request',
    );
  });

  it('drops a message whose report no longer exists', async () => {
    expect(await worker().handle(message('gone'), quietLog)).toBe('skipped-missing');
  });

  it('refuses a malformed message so that the broker dead-letters it', async () => {
    await expect(worker().handle({ hello: 'world' }, quietLog)).rejects.toBeInstanceOf(PoisonMessageError);
    await expect(worker().handle('not json', quietLog)).rejects.toBeInstanceOf(PoisonMessageError);
  });

  it('accepts the message body as JSON text too', async () => {
    await pending('r1');
    expect(await worker().handle(JSON.stringify(message('r1')), quietLog)).toBe('completed');
  });
});

describe('export worker: cancellation', () => {
  it('ends a Pending report with a cancel request as Cancelled without exporting', async () => {
    await pending('r1', { cancelRequested: true });
    expect(await worker().handle(message('r1'), quietLog)).toBe('cancelled');
    expect(await reportOf('r1')).toMatchObject({ status: 'Cancelled', ttl: RETENTION });
    expect(files.uploads).toBe(0);
  });

  it('stops a running export at the next heartbeat after a cancel request and leaves no file', async () => {
    useFakeTimers();
    await pending('r1');
    let pagesStarted = 0;
    behaviour = {
      pages: 1000,
      pageSize: 10,
      beforePage: async (index) => {
        pagesStarted = index + 1;
        if (index === 5) {
          const stored = await store.get(TENANT, 'r1');
          if (stored) await store.replace({ ...stored.doc, cancelRequested: true }, stored.etag);
        }
        await sleep(2);
      },
    };
    const { value, elapsedMs } = await settleOnFakeTime(worker().handle(message('r1'), quietLog));
    expect(value).toBe('cancelled');
    // The cancel request lands 12 ms in; the beat at 20 ms (or, at worst, the one after) sees it.
    expect(elapsedMs).toBeLessThanOrEqual(2 * 20 + 2);
    expect(pagesStarted).toBeLessThanOrEqual((2 * 20) / 2 + 1);
    const report = await reportOf('r1');
    expect(report).toMatchObject({ status: 'Cancelled', leaseOwner: null, rowCount: null, blobName: null });
    expect(report.progress.processedRows).toBeLessThan(10_000);
    expect(files.files.size).toBe(0);
    expect(files.deletes).toEqual([`${TENANT}/r1/numbers-r1.csv`]);
  });
});

describe('export worker: failures', () => {
  it("fails the report with a report type's own error code and message", async () => {
    await pending('r1');
    behaviour = {
      pages: 3,
      pageSize: 2,
      beforePage: (index) => {
        if (index === 1) throw new ReportTypeError('NoSuchAlbum', 'Album a-1 does not exist.');
      },
    };
    expect(await worker().handle(message('r1'), quietLog)).toBe('failed');
    expect(await reportOf('r1')).toMatchObject({
      status: 'Failed',
      error: { code: 'NoSuchAlbum', message: 'Album a-1 does not exist.' },
      ttl: RETENTION,
      leaseOwner: null,
    });
    expect(files.files.size).toBe(0);
  });

  it('fails the report on a bug with a readable message; the stack goes only to the log', async () => {
    await pending('r1');
    behaviour = {
      pages: 3,
      pageSize: 2,
      beforePage: () => {
        throw new TypeError('row.album is undefined');
      },
    };
    expect(await worker().handle(message('r1'), quietLog)).toBe('failed');
    const report = await reportOf('r1');
    expect(report.error).toEqual({
      code: 'ExportFailed',
      message: 'The Numbers export failed: row.album is undefined',
    });
    expect(JSON.stringify(report)).not.toContain('at ');
  });

  it('fails a report whose parameters no longer validate, or whose type or format is unknown', async () => {
    await pending('bad-params', { parameters: { label: 5 } });
    await pending('bad-type', { reportType: 'nope' });
    await pending('bad-format', { format: 'docx' });
    const w = worker();
    for (const id of ['bad-params', 'bad-type', 'bad-format'])
      expect(await w.handle(message(id), quietLog)).toBe('failed');
    expect((await reportOf('bad-params')).error?.code).toBe('InvalidParameters');
    expect((await reportOf('bad-type')).error?.code).toBe('UnknownReportType');
    expect((await reportOf('bad-format')).error?.code).toBe('UnsupportedFormat');
  });

  it('retries a transient failure later: back to Pending, a scheduled message with its own id', async () => {
    await pending('r1');
    behaviour = {
      pages: 3,
      pageSize: 2,
      beforePage: () => {
        throw new DependencyUnavailableError('database'); // a throttled read, as the adapter reports it
      },
    };
    expect(await worker().handle(message('r1'), quietLog)).toBe('retry-scheduled');
    expect(await reportOf('r1')).toMatchObject({ status: 'Pending', attempts: 1, leaseOwner: null });
    expect(publisher.sent).toHaveLength(1);
    const [retry] = publisher.sent;
    expect(retry).toMatchObject({
      messageId: 'retry-r1-1',
      correlationId: 'corr-r1',
      subject: 'ExportRequested',
      applicationProperties: { tenantId: TENANT, reportId: 'r1' },
      body: message('r1'),
    });
    // attempt 1, base 2 s, random 0.5: half of 2 s fixed + half of that random = 1.5 s
    expect(retry?.scheduledEnqueueTimeUtc?.getTime()).toBe(clock + 1500);
  });

  it('gives up after the last attempt on a transient failure', async () => {
    await pending('r1', { attempts: 2 });
    behaviour = {
      pages: 1,
      pageSize: 1,
      beforePage: () => {
        throw new DependencyUnavailableError('database'); // a dropped connection
      },
    };
    expect(await worker().handle(message('r1'), quietLog)).toBe('failed');
    expect(await reportOf('r1')).toMatchObject({
      status: 'Failed',
      attempts: 3,
      error: { code: 'TransientFailure' },
    });
    expect(publisher.sent).toHaveLength(0);
  });

  it('throws (so the broker redelivers) when the retry cannot be scheduled; the report stays claimable', async () => {
    await pending('r1');
    publisher.fail = true;
    behaviour = {
      pages: 1,
      pageSize: 1,
      beforePage: () => {
        throw new DependencyUnavailableError('database');
      },
    };
    await expect(worker().handle(message('r1'), quietLog)).rejects.toThrow('broker down');
    expect(await reportOf('r1')).toMatchObject({ status: 'Pending', leaseOwner: null });
    behaviour = { pages: 1, pageSize: 1 };
    expect(await worker().handle(message('r1'), quietLog)).toBe('completed');
  });

  it('stops without completing when its lease passes to another worker', async () => {
    await pending('r1');
    behaviour = {
      pages: 1000,
      pageSize: 10,
      beforePage: async (index) => {
        if (index === 3) store.forceStatus(TENANT, 'r1', 'Processing', { leaseOwner: 'thief' });
        await sleep(2);
      },
    };
    useFakeTimers();
    const { value } = await settleOnFakeTime(worker().handle(message('r1'), quietLog));
    expect(value).toBe('lease-lost');
    expect(await reportOf('r1')).toMatchObject({ status: 'Processing', leaseOwner: 'thief', rowCount: null });
    expect(files.files.size).toBe(0);
  });
});

describe('export worker: progress', () => {
  it('writes the first progress as soon as there is any, not one heartbeat after the claim', async () => {
    useFakeTimers();
    await pending('r1');
    const seen: ReportDocument['progress'][] = [];
    behaviour = {
      pages: 3,
      pageSize: 5,
      beforePage: async (page) => {
        if (page !== 1) return;
        await sleep(400);
        const stored = await store.get(TENANT, 'r1');
        if (stored) seen.push(stored.doc.progress);
      },
    };
    // The heartbeat interval is far longer than the export: only the early first write can show progress.
    const { value, elapsedMs } = await settleOnFakeTime(
      worker({ heartbeatMs: 60_000 }).handle(message('r1'), quietLog),
    );
    expect(value).toBe('completed');
    expect(elapsedMs).toBeLessThan(60_000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ processedRows: 5, totalRows: 15 });
    expect(seen[0]?.percent).toBeGreaterThan(0);
    expect(seen[0]?.percent).toBeLessThan(100);
  });

  it('writes progress and renews the lease at most once per heartbeat, however often the source reports', async () => {
    useFakeTimers();
    await pending('r1');
    const seen: ReportDocument['progress'][] = [];
    behaviour = {
      pages: 400,
      pageSize: 5,
      beforePage: async () => {
        const stored = await store.get(TENANT, 'r1');
        if (stored) seen.push(stored.doc.progress);
        await sleep(1);
      },
    };
    const writesBefore = store.writes;
    const w = worker({ heartbeatMs: 50 });
    const { value, elapsedMs } = await settleOnFakeTime(w.handle(message('r1'), quietLog));
    expect(value).toBe('completed');
    // claim + heartbeats + completion; the source called progress() 400 times over ~400 ms
    const heartbeats = store.writes - writesBefore - 2;
    expect(heartbeats).toBeGreaterThan(0);
    expect(heartbeats).toBeLessThanOrEqual(Math.floor(elapsedMs / 50) + 1);
    const during = seen.filter((p) => p.percent !== null && p.percent < 100);
    expect(during.length).toBeGreaterThan(0);
    for (const p of during) {
      expect(p.totalRows).toBe(2000);
      expect(p.processedRows).toBeLessThanOrEqual(2000);
    }
  });
});

describe('watchdog', () => {
  it('re-queues a Processing report whose lease lapsed through a new outbox message, once', async () => {
    await pending('r1', {
      status: 'Processing',
      leaseOwner: 'crashed',
      leaseExpiresAt: new Date(clock - 1000).toISOString(),
      attempts: 1,
    });
    await pending('alive', {
      status: 'Processing',
      leaseOwner: 'busy',
      leaseExpiresAt: new Date(clock + 10_000).toISOString(),
      attempts: 1,
    });
    const w = worker();
    expect(await w.sweepExpiredLeases(quietLog)).toEqual({
      requeued: 1,
      failed: 0,
      cancelled: 0,
      redriven: 0,
    });
    expect(await reportOf('r1')).toMatchObject({ status: 'Pending', leaseOwner: null, attempts: 1 });
    expect(await reportOf('alive')).toMatchObject({ status: 'Processing', leaseOwner: 'busy' });
    const outbox = store.docs().filter((d) => d.kind === 'outbox' && d.reportId === 'r1');
    expect(outbox.map((d) => d.id).sort()).toEqual(['outbox-r1', 'outbox-r1-requeue-1']);
    expect(outbox.find((d) => d.id === 'outbox-r1-requeue-1')).toMatchObject({
      dispatchedAt: null,
      payload: message('r1'),
      correlationId: 'corr-r1',
    });
    expect(await w.sweepExpiredLeases(quietLog)).toEqual({
      requeued: 0,
      failed: 0,
      cancelled: 0,
      redriven: 0,
    });
    // The re-queued message is processed like the first one.
    expect(await w.handle(message('r1'), quietLog)).toBe('completed');
    expect(await reportOf('r1')).toMatchObject({ status: 'Completed', attempts: 2 });
  });

  it('fails a report whose lease lapsed on its last attempt, and cancels one with a cancel request', async () => {
    const lapsed = {
      status: 'Processing' as const,
      leaseOwner: 'x',
      leaseExpiresAt: new Date(clock - 1).toISOString(),
    };
    await pending('last', { ...lapsed, attempts: 3 });
    await pending('cancel', { ...lapsed, attempts: 1, cancelRequested: true });
    expect(await worker().sweepExpiredLeases(quietLog)).toEqual({
      requeued: 0,
      failed: 1,
      cancelled: 1,
      redriven: 0,
    });
    expect(await reportOf('last')).toMatchObject({
      status: 'Failed',
      error: { code: 'WorkerLost' },
      ttl: RETENTION,
    });
    expect(await reportOf('cancel')).toMatchObject({ status: 'Cancelled', ttl: RETENTION });
    expect(files.deletes).toContain(`${TENANT}/cancel/numbers-cancel.csv`);
  });
});

describe('dead-lettered requests', () => {
  it('fail their report with the dead-letter reason', async () => {
    await pending('r1');
    expect(await worker().deadLettered(message('r1'), {}, 'MaxDeliveryCountExceeded', quietLog)).toBe(
      'failed',
    );
    expect(await reportOf('r1')).toMatchObject({
      status: 'Failed',
      error: {
        code: 'DeadLettered',
        message:
          'The export request could not be processed and was dead-lettered (MaxDeliveryCountExceeded).',
      },
    });
  });

  it('find the report from the application properties when the body is unreadable', async () => {
    await pending('r1');
    const outcome = await worker().deadLettered(
      'garbage',
      { tenantId: TENANT, reportId: 'r1' },
      'Poison',
      quietLog,
    );
    expect(outcome).toBe('failed');
  });

  it('leave finished reports and healthy exports alone', async () => {
    await pending('done', { status: 'Completed' });
    await pending('busy', {
      status: 'Processing',
      leaseOwner: 'w',
      leaseExpiresAt: new Date(clock + 10_000).toISOString(),
    });
    const w = worker();
    expect(await w.deadLettered(message('done'), {}, 'x', quietLog)).toBe('skipped');
    expect(await w.deadLettered(message('busy'), {}, 'x', quietLog)).toBe('skipped');
    expect(await w.deadLettered('garbage', {}, 'x', quietLog)).toBe('skipped');
    expect((await reportOf('busy')).status).toBe('Processing');
  });
});

/** A store whose reads of some reports still show an older state (a lagging read or lease query). */
class LaggingReads extends MemoryReportStore {
  readonly lag = new Map<string, Partial<ReportDocument>>();

  override async get(tenantId: string, reportId: string): Promise<Stored<ReportDocument> | undefined> {
    const found = await super.get(tenantId, reportId);
    const older = this.lag.get(reportId);
    return found && older ? { doc: { ...found.doc, ...older }, etag: found.etag } : found;
  }

  override async findExpiredLeases(now: Date, limit: number): Promise<Stored<ReportDocument>[]> {
    const lagging: Stored<ReportDocument>[] = [];
    for (const id of this.lag.keys()) {
      const found = await this.get(TENANT, id);
      if (found) lagging.push(found);
    }
    return [...lagging, ...(await super.findExpiredLeases(now, limit))];
  }
}

const storedReport = (id: string): ReportDocument | undefined =>
  store.docs().find((d): d is ReportDocument => d.kind === 'report' && d.id === id);

describe('export worker: the report state machine', () => {
  it.each(['Completed', 'Failed', 'Cancelled'] as const)(
    'leaves a %s report untouched when its message comes again',
    async (status) => {
      await pending('r1', { status, completedAt: new Date(clock - 1000).toISOString(), attempts: 1 });
      const before = storedReport('r1');
      const writes = store.writes;
      expect(await worker().handle(message('r1'), quietLog)).toBe('skipped-terminal');
      expect(store.writes).toBe(writes);
      expect(storedReport('r1')).toEqual(before);
      expect(files.uploads).toBe(0);
      expect(publisher.sent).toEqual([]);
    },
  );

  it('settles the message and leaves the report as it is when a status change is refused', async () => {
    const lagging = new LaggingReads();
    store = lagging;
    await pending('late', { status: 'Completed', completedAt: new Date(clock - 1000).toISOString() });
    lagging.lag.set('late', { status: 'Pending', completedAt: null });
    const before = storedReport('late');
    expect(await worker().handle(message('late'), quietLog)).toBe('refused-transition');
    expect(storedReport('late')).toEqual(before);
    expect(files.uploads).toBe(0);
    expect(quietLog.lines.join('\n')).toContain(
      'report late: status change refused (a report cannot go from Completed to Processing)',
    );
  });

  it('the watchdog writes nothing for a report it may not release, and goes on with the others', async () => {
    const lagging = new LaggingReads();
    store = lagging;
    await pending('done', { status: 'Completed', attempts: 1 });
    lagging.lag.set('done', { leaseOwner: 'gone', leaseExpiresAt: new Date(clock - 1000).toISOString() });
    await pending('r1', {
      status: 'Processing',
      leaseOwner: 'crashed',
      leaseExpiresAt: new Date(clock - 1000).toISOString(),
      attempts: 1,
    });
    const before = storedReport('done');
    expect(await worker().sweepExpiredLeases(quietLog)).toEqual({
      requeued: 1,
      failed: 0,
      cancelled: 0,
      redriven: 0,
    });
    expect(storedReport('done')).toEqual(before);
    expect(store.docs().map((d) => d.id)).not.toContain('outbox-done-requeue-1');
    expect(storedReport('r1')?.status).toBe('Pending');
    expect(quietLog.lines.join('\n')).toContain(
      'report done: watchdog status change refused (a report cannot go from Completed to Pending)',
    );
  });

  it('drops a dead-lettered request whose report may not be failed, leaving the report as it is', async () => {
    const lagging = new LaggingReads();
    store = lagging;
    await pending('late', { status: 'Cancelled', completedAt: new Date(clock - 1000).toISOString() });
    lagging.lag.set('late', { status: 'Pending', completedAt: null });
    const before = storedReport('late');
    expect(await worker().deadLettered(message('late'), {}, 'x', quietLog)).toBe('skipped');
    expect(storedReport('late')).toEqual(before);
    expect(quietLog.lines.join('\n')).toContain('a report cannot go from Cancelled to Failed');
  });
});
