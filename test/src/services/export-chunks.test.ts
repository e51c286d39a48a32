// Chunked exports with in-memory fakes and the real `ratings` type and format writers: the plan, the
// fan-out through the outbox, chunks run in any order and side by side, the one commit, duplicates and
// replays, cancel, retries, and resume after a lost worker (only the lost chunk is read again).
import { beforeEach, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { chunkedProgress } from '../../../src/domain/chunks';
import { DependencyUnavailableError } from '../../../src/domain/errors';
import { exportRequested, type OutboxDocument, type ReportDocument } from '../../../src/domain/report';
import type { RatingFilter, SourceData } from '../../../src/domain/report-types/source-data';
import { createExportWorker, type ExportWorkerOptions } from '../../../src/services/export-worker';
import type { MessagePublisher, OutboundMessage } from '../../../src/services/ports';
import { MemoryBlockFiles } from '../../fakes/memory-block-files';
import { MemoryChunkStore } from '../../fakes/memory-chunk-store';
import { CountingReportStore } from '../../fakes/counting-stores';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { reportDocument } from '../../support/report-document';
import { singlePassRatings } from '../../support/single-pass';
import { recordingLog } from '../../support/worker-log';

const TENANT = 'tenant-1';
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };
const albums = generateAlbums(40, 3);
const ratingList = [...generateRatings(albums, 3_000, 3)].sort((a, b) =>
  a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : 0,
);

const log = recordingLog();

class Publisher implements MessagePublisher {
  readonly sent: OutboundMessage[] = [];
  publish(messages: OutboundMessage[]): Promise<void> {
    this.sent.push(...messages);
    return Promise.resolve();
  }
}

/** Source data that counts the rating reads of each window start and can fail the next reads. */
class CountingData implements SourceData {
  readonly reads = new Map<string, number>();
  failNext = 0;
  /** While set, each window's read waits here after its first page. */
  hold: Promise<void> | undefined;
  constructor(readonly inner: MemorySourceData) {}
  albums = (filter: Parameters<SourceData['albums']>[0], signal: AbortSignal) =>
    this.inner.albums(filter, signal);
  countRatings = (filter: RatingFilter, signal: AbortSignal) => this.inner.countRatings(filter, signal);
  ratingStats = (filter: RatingFilter, signal: AbortSignal) => this.inner.ratingStats(filter, signal);
  ratings(filter: RatingFilter, signal: AbortSignal) {
    this.reads.set(filter.from, (this.reads.get(filter.from) ?? 0) + 1);
    if (this.failNext > 0) {
      this.failNext--;
      const error = new DependencyUnavailableError('database', { cause: new Error('socket hang up') });
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
      };
    }
    const pages = this.inner.ratings(filter, signal);
    const hold = this.hold;
    if (!hold) return pages;
    return (async function* () {
      let first = true;
      for await (const page of pages) {
        yield page;
        if (first) await hold;
        first = false;
      }
    })();
  }
}

let store: CountingReportStore;
let chunks: MemoryChunkStore;
let blocks: MemoryBlockFiles;
let publisher: Publisher;
let data: CountingData;
let clock: number;
let ids: number;
/** Outbox documents already handed to the worker. */
let relayed: Set<string>;

function worker(overrides: Partial<ExportWorkerOptions> = {}) {
  return createExportWorker({
    store,
    files: blocks,
    blocks,
    chunks,
    data,
    publisher,
    leaseSeconds: 30,
    maxAttempts: 3,
    retryBaseSeconds: 1,
    retryMaxSeconds: 10,
    retentionSeconds: 86_400,
    heartbeatMs: 5,
    chunkTargetRows: 250,
    chunkMaxCount: 100,
    now: () => new Date(clock),
    newId: () => `owner-${++ids}`,
    random: () => 0.5,
    ...overrides,
  });
}

async function request(
  format: string,
  parameters: Record<string, unknown> = ALL_TIME,
): Promise<ReportDocument> {
  const report = reportDocument({
    tenantId: TENANT,
    reportType: 'ratings',
    format,
    parameters,
    createdAt: new Date(clock).toISOString(),
  });
  await store.createWithOutbox(report, exportRequested(report, `outbox-${report.id}`, report.createdAt));
  return report;
}

/** Export requests not yet handed to a worker, as a relay would send them (events go to another queue). */
function newMessages(): OutboxDocument[] {
  const fresh = store
    .docs()
    .filter(
      (doc): doc is OutboxDocument =>
        doc.kind === 'outbox' && doc.messageType !== 'ReportEvent' && !relayed.has(doc.id),
    );
  for (const doc of fresh) relayed.add(doc.id);
  const indexOf = (doc: OutboxDocument) => ('chunkIndex' in doc.payload ? doc.payload.chunkIndex : -1);
  return fresh.sort((a, b) => indexOf(a) - indexOf(b));
}

/** Relays and handles messages until none is left; chunk messages run side by side, in reverse order. */
async function drain(run = worker()): Promise<string[]> {
  const outcomes: string[] = [];
  for (let messages = newMessages(); messages.length > 0; messages = newMessages()) {
    const results = await Promise.all(messages.reverse().map((doc) => run.handle(doc.payload, log)));
    outcomes.push(...results);
  }
  return outcomes;
}

async function reportOf(id: string): Promise<ReportDocument> {
  const stored = await store.get(TENANT, id);
  if (!stored) throw new Error(`no report ${id}`);
  return stored.doc;
}

/** The file a single pass of the same export writes. */
const singlePass = async (format: string, parameters: Record<string, unknown> = ALL_TIME): Promise<string> =>
  (await singlePassRatings(data.inner, format, parameters)).toString('utf8');

/** The report's progress as a reader sees it (summed from its chunks while it runs). */
async function liveProgress(report: ReportDocument) {
  const plan = report.chunkPlan;
  if (!plan) throw new Error(`report ${report.id} has no plan`);
  const tally = await chunks.tally(TENANT, report.id, plan.planId);
  return chunkedProgress(plan, tally, Date.parse(report.startedAt ?? report.createdAt), clock);
}

const fileOf = (report: ReportDocument) => blocks.files.get(report.blobName ?? '')?.content;

beforeEach(() => {
  store = new CountingReportStore();
  chunks = new MemoryChunkStore();
  blocks = new MemoryBlockFiles(512);
  publisher = new Publisher();
  data = new CountingData(new MemorySourceData(albums, ratingList, { pageSize: 97 }));
  clock = Date.parse('2026-01-01T00:00:00.000Z');
  ids = 0;
  relayed = new Set();
  log.lines.length = 0;
});

describe('chunked exports', () => {
  it.each(['csv', 'json', 'ndjson'])(
    'writes %s in 10+ chunks run side by side, byte for byte the single-pass file',
    async (format) => {
      const report = await request(format);
      const outcomes = await drain();
      const done = await reportOf(report.id);
      expect(done.status, JSON.stringify(done.error) + log.lines.join('\n')).toBe('Completed');
      expect(done.chunkPlan?.count).toBeGreaterThanOrEqual(10);
      expect(outcomes.filter((o) => o === 'planned')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
      const expected = await singlePass(format);
      expect(fileOf(done)).toBe(expected);
      expect(done.rowCount).toBe(ratingList.length);
      expect(done.sizeBytes).toBe(Buffer.byteLength(expected));
      expect(done.progress).toMatchObject({ percent: 100, chunks: { done: done.chunkPlan?.count } });
      // Every chunk read its window once; nothing else read ratings.
      expect([...data.reads.values()].every((n) => n === 1)).toBe(true);
      expect(data.reads.size).toBe(done.chunkPlan?.count);
    },
  );

  it('writes the single-pass file when chunks are empty, or the range holds no rating at all', async () => {
    for (const parameters of [ALL_TIME, { fromDate: '1990-01-01', toDate: '1990-12-31' }]) {
      for (const format of ['csv', 'json', 'ndjson']) {
        const report = await request(format, parameters);
        await drain();
        const done = await reportOf(report.id);
        expect(done.status).toBe('Completed');
        expect(fileOf(done)).toBe(await singlePass(format, parameters));
      }
    }
  });

  it('runs XLSX, PDF, and a range of one chunk in one pass', async () => {
    const xlsx = await request('xlsx');
    const small = await request('csv', { fromDate: '2019-03-01', toDate: '2019-03-02' });
    await drain();
    expect((await reportOf(xlsx.id)).chunkPlan ?? null).toBeNull();
    const one = await reportOf(small.id);
    expect(one.chunkPlan ?? null).toBeNull();
    expect(one.status).toBe('Completed');
    expect(chunks.all()).toEqual([]);
  });

  it('shows no file until the last chunk is recorded, and progress by chunk on the way', async () => {
    const report = await request('csv');
    const run = worker();
    await run.handle(newMessages()[0]!.payload, log);
    const planned = await reportOf(report.id);
    expect(planned).toMatchObject({ status: 'Processing', leaseOwner: null, leaseExpiresAt: null });
    const total = planned.chunkPlan!.count;
    expect(planned.progress).toMatchObject({
      processedRows: 0,
      totalRows: ratingList.length,
      chunks: { done: 0, total },
    });
    const messages = newMessages();
    expect(messages.map((m) => m.id)).toEqual(
      Array.from({ length: total }, (_, i) => `outbox-${report.id}-p1-c${i}`),
    );
    for (const [i, message] of messages.slice(0, -1).entries()) {
      await run.handle(message.payload, log);
      const now = await reportOf(report.id);
      expect(now.status).toBe('Processing');
      expect((await liveProgress(now)).chunks).toEqual({ done: i + 1, total });
      expect(blocks.files.size).toBe(0);
    }
    expect(await run.handle(messages.at(-1)!.payload, log)).toBe('completed');
    expect(blocks.files.size).toBe(1);
  });

  it('gives one file and one completion for duplicate chunk messages and a replayed commit', async () => {
    const report = await request('ndjson');
    const run = worker();
    await run.handle(newMessages()[0]!.payload, log);
    const messages = newMessages();
    // Every chunk message twice, all at once.
    const outcomes = await Promise.all([...messages, ...messages].map((m) => run.handle(m.payload, log)));
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    const done = await reportOf(report.id);
    expect(done.status).toBe('Completed');
    // A replay after the end, and a commit replayed on a report whose completion was lost.
    expect(await run.handle(messages[0]!.payload, log)).toBe('skipped-terminal');
    store.forceStatus(TENANT, report.id, 'Processing', { completedAt: null });
    expect(await run.handle(messages[1]!.payload, log)).toBe('completed');
    expect(blocks.commits.map((c) => c.outcome)).toEqual(['committed', 'exists']);
    expect(fileOf(await reportOf(report.id))).toBe(await singlePass('ndjson'));
    expect(log.lines.filter((line) => line.includes(`report ${report.id}: Completed`))).toHaveLength(2);
  });

  it('resumes after a lost worker: the watchdog re-queues that chunk alone, finished chunks are not read again', async () => {
    const report = await request('csv');
    const run = worker();
    await run.handle(newMessages()[0]!.payload, log);
    const messages = newMessages();
    // Chunks 0-3 finish; chunk 4 is claimed by a worker that dies (its claim is left, nothing staged).
    for (const message of messages.slice(0, 4)) await run.handle(message.payload, log);
    const lost = (await chunks.get(TENANT, `chunk-${report.id}-1-4`))!;
    await chunks.replace(
      {
        ...lost.doc,
        status: 'Processing',
        attempts: 1,
        leaseOwner: 'dead',
        leaseExpiresAt: new Date(clock + 30_000).toISOString(),
      },
      lost.etag,
    );
    // Its message is consumed (the dead worker had it); the rest of the chunks run.
    for (const message of messages.slice(5)) await run.handle(message.payload, log);
    expect(await run.handle(messages[4]!.payload, log)).toBe('skipped-claimed');
    expect((await reportOf(report.id)).status).toBe('Processing');
    clock += 31_000;
    expect(await run.sweepExpiredLeases(log)).toEqual({ requeued: 1, failed: 0, cancelled: 0, redriven: 0 });
    const requeued = newMessages();
    expect(requeued.map((m) => m.id)).toEqual([`outbox-${report.id}-p1-c4-requeue-1`]);
    expect(await run.handle(requeued[0]!.payload, log)).toBe('completed');
    const done = await reportOf(report.id);
    expect(done.status).toBe('Completed');
    expect(fileOf(done)).toBe(await singlePass('csv'));
    expect([...data.reads.values()].every((n) => n === 1)).toBe(true);
    expect((await chunks.get(TENANT, `chunk-${report.id}-1-4`))?.doc.result?.attempt).toBe(2);
  });

  it('retries a chunk after a passing fault with backoff, alone', async () => {
    const report = await request('csv');
    const run = worker();
    await run.handle(newMessages()[0]!.payload, log);
    const messages = newMessages();
    data.failNext = 1;
    expect(await run.handle(messages[2]!.payload, log)).toBe('retry-scheduled');
    expect(publisher.sent).toHaveLength(1);
    expect(publisher.sent[0]).toMatchObject({
      messageId: `retry-${report.id}-p1-c2-1`,
      subject: 'ExportChunkRequested',
      body: { reportId: report.id, planId: 1, chunkIndex: 2 },
      scheduledEnqueueTimeUtc: new Date(clock + 750),
    });
    for (const message of messages.filter((_, i) => i !== 2)) await run.handle(message.payload, log);
    expect(await run.handle(publisher.sent[0]!.body, log)).toBe('completed');
    expect(fileOf(await reportOf(report.id))).toBe(await singlePass('csv'));
  });

  it('fails the report when a chunk keeps failing, and the other chunks stop', async () => {
    const report = await request('csv');
    const run = worker({ maxAttempts: 1 });
    await run.handle(newMessages()[0]!.payload, log);
    const messages = newMessages();
    data.failNext = 1;
    expect(await run.handle(messages[0]!.payload, log)).toBe('failed');
    const failed = await reportOf(report.id);
    expect(failed.status).toBe('Failed');
    expect(failed.error?.code).toBe('TransientFailure');
    expect(await run.handle(messages[1]!.payload, log)).toBe('skipped-terminal');
    expect(blocks.files.size).toBe(0);
  });

  it('cancels: every chunk stops, nothing is committed, the report ends Cancelled', async () => {
    const report = await request('json');
    const run = worker();
    await run.handle(newMessages()[0]!.payload, log);
    const messages = newMessages();
    await run.handle(messages[0]!.payload, log);
    store.forceStatus(TENANT, report.id, 'Processing', { cancelRequested: true });
    expect(await run.handle(messages[1]!.payload, log)).toBe('cancelled');
    const outcomes = await Promise.all(messages.slice(2).map((m) => run.handle(m.payload, log)));
    expect(new Set(outcomes)).toEqual(new Set(['skipped-terminal']));
    expect((await reportOf(report.id)).status).toBe('Cancelled');
    expect(blocks.files.size).toBe(0);
    expect(blocks.commits).toEqual([]);
  });

  it('keeps the report the same size, and writes it as often, for 20 chunks or 2,000', async () => {
    const measure = async (chunkTargetRows: number) => {
      const report = await request('csv');
      // No heartbeat falls inside this run: only the writes the export's steps make are counted.
      await drain(worker({ chunkTargetRows, chunkMaxCount: 2_000, heartbeatMs: 600_000 }));
      const done = await reportOf(report.id);
      expect(done.status).toBe('Completed');
      expect(fileOf(done)).toBe(await singlePass('csv'));
      return {
        chunks: done.chunkPlan?.count ?? 0,
        bytes: Buffer.byteLength(JSON.stringify(done)),
        writes: store.accepted.get(report.id)?.writes ?? 0,
        refused: store.refused.get(report.id) ?? 0,
      };
    };
    const few = await measure(150);
    const many = await measure(1);
    expect(few.chunks).toBe(20);
    expect(many.chunks).toBe(2_000);
    // Claim, plan header, release, the commit's claim, completion: the same five writes whatever the
    // chunk count.
    expect(few.writes).toBe(5);
    expect(many.writes).toBe(few.writes);
    // The header's numbers have more digits; nothing grows with the chunks.
    expect(Math.abs(many.bytes - few.bytes)).toBeLessThan(32);
    console.log(
      `report document: ${few.bytes} bytes at 20 chunks, ${many.bytes} at 2,000; ${many.writes} writes; ` +
        `commit claims lost to a concurrent one: ${few.refused} and ${many.refused} (every chunk finished in the same instant)`,
    );
  }, 60_000);

  it('shows the rows of running chunks in the progress, before any chunk ends', async () => {
    const report = await request('csv');
    const run = worker({ heartbeatMs: 5 });
    await run.handle(newMessages()[0]!.payload, log);
    const planned = await reportOf(report.id);
    const messages = newMessages();
    let release = () => {};
    data.hold = new Promise<void>((resolve) => (release = resolve));
    const running = Promise.all(messages.slice(0, 3).map((m) => run.handle(m.payload, log)));
    // Each of the three chunks has read its first page and waits; their heartbeats write their rows.
    let progress = await liveProgress(planned);
    // A first page holds 97 ratings, less the run of equal timestamps held back for the next page.
    for (let tries = 0; progress.processedRows < 3 * 80 && tries < 400; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      progress = await liveProgress(planned);
    }
    expect(progress.chunks).toEqual({ done: 0, total: planned.chunkPlan!.count });
    expect(progress.processedRows).toBeGreaterThanOrEqual(3 * 80);
    expect(progress.percent).toBeGreaterThan(0);
    expect(progress.totalRows).toBe(ratingList.length);
    release();
    data.hold = undefined;
    await running;
    const after = await liveProgress(planned);
    expect(after.chunks?.done).toBe(3);
    for (const message of messages.slice(3)) await run.handle(message.payload, log);
    expect((await reportOf(report.id)).status).toBe('Completed');
  });

  it('commits once and completes once when the last two chunks finish at the same moment', async () => {
    const report = await request('json');
    const run = worker();
    await run.handle(newMessages()[0]!.payload, log);
    const messages = newMessages();
    for (const message of messages.slice(0, -2)) await run.handle(message.payload, log);
    const outcomes = await Promise.all(messages.slice(-2).map((m) => run.handle(m.payload, log)));
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'chunk-done')).toHaveLength(1);
    expect(blocks.commits.filter((c) => c.outcome === 'committed')).toHaveLength(1);
    expect(fileOf(await reportOf(report.id))).toBe(await singlePass('json'));
  });
});
