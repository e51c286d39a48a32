// A deployment of the export pipeline on the simulated queue (queue-sim.ts): the real export worker and
// fair sharing over the in-memory stores, every message that does real work taking one unit of virtual
// time. Used by the fairness properties and the watchdog's re-drive tests.
import { generateAlbums, generateRatings } from '../../dev/seed';
import { exportRequested, type ReportDocument } from '../../src/domain/report';
import { createExportWorker, type ExportWorkerOptions } from '../../src/services/export-worker';
import { createFairness } from '../../src/services/fairness';
import { MemoryBlockFiles } from '../fakes/memory-block-files';
import { MemoryChunkStore } from '../fakes/memory-chunk-store';
import { MemoryReportStore } from '../fakes/memory-report-store';
import { MemorySourceData } from '../fakes/memory-source-data';
import { allEnded, faultyStores, QueueSim, type Dispatch } from './queue-sim';
import { reportDocument } from './report-document';

export const UNIT = 1_000;
export const START = Date.parse('2026-03-01T00:00:00.000Z');
export const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };
const albums = generateAlbums(30, 5);
const ratings = [...generateRatings(albums, 2_400, 5)];
export const source = new MemorySourceData(albums, ratings, { pageSize: 97 });

export interface Share {
  places: number;
  window: number;
}

/** One simulated deployment: `workers` slots, fair sharing as `share` (none: every message as it comes). */
export function deployment(share: Share | undefined, workers = 4, extra: Partial<ExportWorkerOptions> = {}) {
  const sim = new QueueSim({ workers, unitMs: UNIT, lockMs: 5_000, watchdogMs: 10_000, start: START });
  const rawStore = new MemoryReportStore();
  const rawChunks = new MemoryChunkStore();
  rawStore.clock = () => sim.t;
  rawChunks.clock = () => sim.t;
  const blocks = new MemoryBlockFiles(512);
  const { store, chunks } = faultyStores(sim, rawStore, rawChunks);
  const publisher = sim.faulty(sim.publisher);
  const now = () => new Date(sim.t);
  const claims: ReportDocument[] = [];
  const worker = createExportWorker({
    store,
    files: blocks,
    blocks,
    chunks,
    data: sim.timed(source),
    publisher,
    leaseSeconds: 30,
    maxAttempts: 6,
    retryBaseSeconds: 1,
    retryMaxSeconds: 2,
    retentionSeconds: 86_400,
    heartbeatMs: 3_600_000,
    chunkTargetRows: 200,
    chunkMaxCount: 100,
    now,
    ...(share
      ? {
          share: createFairness({
            store,
            publisher,
            maxActivePerTenant: share.places,
            chunkWindow: share.window,
            deferMs: 2_000,
            now,
          }),
        }
      : {}),
    onClaimed: (report) => claims.push(report),
    ...extra,
  });
  const reports: ReportDocument[] = [];
  let seq = 0;

  /** A request of `tenantId` asked now: an all-time `ratings` export (chunked), or a small report. */
  async function ask(tenantId: string, kind: 'chunked' | 'small'): Promise<ReportDocument> {
    seq++;
    const report = reportDocument({
      tenantId,
      ...(kind === 'chunked'
        ? { reportType: 'ratings', parameters: ALL_TIME }
        : { reportType: 'popularity', parameters: { fromDate: '2019-01-01', toDate: '2019-03-31', top: 5 } }),
      // Asked in this order, a millisecond apart.
      createdAt: new Date(sim.t + seq).toISOString(),
    });
    await rawStore.createWithOutbox(report, exportRequested(report, `outbox-${report.id}`, report.createdAt));
    reports.push(report);
    return report;
  }

  /** Runs until every report asked has ended (or `done`), failing past `limitUnits` of virtual time. */
  const run = (limitUnits = 400, done = () => allEnded(rawStore, reports)) =>
    sim.run(worker, rawStore, done, START + limitUnits * UNIT);

  return { sim, store: rawStore, chunks: rawChunks, blocks, claims, reports, ask, run };
}

export type Deployment = ReturnType<typeof deployment>;

/** A's flood: `chunked` all-time exports (12 chunks each) and `small` reports, interleaved as asked. */
export async function flood(d: Deployment, chunked: number, small: number): Promise<ReportDocument[]> {
  const asked: ReportDocument[] = [];
  for (let i = 0; i < Math.max(chunked, small); i++) {
    if (i < chunked) asked.push(await d.ask('a', 'chunked'));
    if (i < small) asked.push(await d.ask('a', 'small'));
  }
  return asked;
}

export const drained = (d: Deployment) => Math.max(...d.sim.dispatches.map((x) => x.endedAt ?? 0)) - START;
export const worked = (dispatches: Dispatch[]) => dispatches.filter((x) => x.worked);

export async function statuses(d: Deployment): Promise<string[]> {
  const out: string[] = [];
  for (const report of d.reports) out.push((await d.store.get(report.tenantId, report.id))?.doc.status ?? '');
  return out;
}
