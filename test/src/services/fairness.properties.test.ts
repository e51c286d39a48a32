// Fair sharing between tenants, as properties of the whole pipeline: the real export worker (admission,
// plan, chunk window, freed places, commit, watchdog) over the in-memory stores, driven by a simulated
// queue on virtual time (test/support/queue-sim.ts) in which every message that does real work takes one
// unit. Stated as published fairness tests state them: a tenant alone gets all capacity; a tenant with one
// job is served within a bounded number of dispatches while another floods; the per-tenant limits are
// never exceeded; a tenant's order is kept; and waiting work resumes after a crash at any step.
import { describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { exportRequested, type ReportDocument } from '../../../src/domain/report';
import { createExportWorker } from '../../../src/services/export-worker';
import { createFairness } from '../../../src/services/fairness';
import { MemoryBlockFiles } from '../../fakes/memory-block-files';
import { MemoryChunkStore } from '../../fakes/memory-chunk-store';
import { MemoryReportStore } from '../../fakes/memory-report-store';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { allEnded, faultyStores, QueueSim, type Dispatch } from '../../support/queue-sim';
import { reportDocument } from '../../support/report-document';
import { singlePassRatings } from '../../support/single-pass';

const UNIT = 1_000;
const START = Date.parse('2026-03-01T00:00:00.000Z');
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };
const albums = generateAlbums(30, 5);
const ratings = [...generateRatings(albums, 2_400, 5)];
const source = new MemorySourceData(albums, ratings, { pageSize: 97 });

interface Share {
  places: number;
  window: number;
}

/** One simulated deployment: `workers` slots, fair sharing as `share` (none: every message as it comes). */
function deployment(share: Share | undefined, workers = 4) {
  const sim = new QueueSim({ workers, unitMs: UNIT, lockMs: 5_000, watchdogMs: 10_000, start: START });
  const rawStore = new MemoryReportStore();
  const rawChunks = new MemoryChunkStore();
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

  const run = (limitUnits = 400) =>
    sim.run(worker, rawStore, () => allEnded(rawStore, reports), START + limitUnits * UNIT);

  return { sim, store: rawStore, chunks: rawChunks, blocks, claims, reports, ask, run };
}

type Deployment = ReturnType<typeof deployment>;

/** A's flood: `chunked` all-time exports (12 chunks each) and `small` reports, interleaved as asked. */
async function flood(d: Deployment, chunked: number, small: number): Promise<ReportDocument[]> {
  const asked: ReportDocument[] = [];
  for (let i = 0; i < Math.max(chunked, small); i++) {
    if (i < chunked) asked.push(await d.ask('a', 'chunked'));
    if (i < small) asked.push(await d.ask('a', 'small'));
  }
  return asked;
}

const drained = (d: Deployment) => Math.max(...d.sim.dispatches.map((x) => x.endedAt ?? 0)) - START;
const worked = (dispatches: Dispatch[]) => dispatches.filter((x) => x.worked);

async function statuses(d: Deployment): Promise<string[]> {
  const out: string[] = [];
  for (const report of d.reports) out.push((await d.store.get(report.tenantId, report.id))?.doc.status ?? '');
  return out;
}

describe('fair sharing, as properties of the pipeline on virtual time', () => {
  it('gives a tenant alone all capacity: its flood drains as fast as with no sharing at all', async () => {
    const times: Record<string, number> = {};
    for (const [name, share] of [
      ['unshared', undefined],
      ['shared', { places: 4, window: 4 }],
    ] as const) {
      const d = deployment(share);
      await flood(d, 3, 8);
      await d.run();
      expect(await statuses(d)).toEqual(d.reports.map(() => 'Completed'));
      times[name] = drained(d);
      // No slot idles while work that could run waits: every unit of the drain but the tail keeps all
      // four slots busy with real work.
      const units = worked(d.sim.dispatches).length;
      expect(units, name).toBe(3 * (1 + 12) + 8);
    }
    expect(times.shared).toBeLessThanOrEqual((times.unshared ?? 0) * 1.1);
    // A place that frees up is taken at once, not after a deferral's wait: twelve small reports on two
    // places (with slots to spare, so the ones over the cap are deferred) drain in six units.
    const small = deployment({ places: 2, window: 4 });
    await flood(small, 0, 12);
    await small.run();
    expect(await statuses(small)).toEqual(small.reports.map(() => 'Completed'));
    expect(drained(small)).toBe(6 * UNIT);
    // And a tenant alone with one chunked export fills every slot: the window is the tenant's whole share.
    const one = deployment({ places: 4, window: 4 });
    const [report] = await flood(one, 1, 0);
    await one.run();
    const chunkRuns = one.sim.dispatches.filter((x) => x.chunk !== null && x.worked);
    expect(chunkRuns).toHaveLength(12);
    expect(new Set(chunkRuns.map((x) => x.startedAt)).size).toBe(3);
    expect(report && (await one.store.get('a', report.id))?.doc.status).toBe('Completed');
  });

  it('serves another tenant’s one report within a bounded number of dispatches while a tenant floods', async () => {
    const waits: Record<string, number> = {};
    for (const [name, share] of [
      ['unshared', undefined],
      ['shared', { places: 4, window: 4 }],
    ] as const) {
      const d = deployment(share);
      await flood(d, 3, 30);
      const b = await d.ask('b', 'small');
      await d.run();
      expect(await statuses(d)).toEqual(d.reports.map(() => 'Completed'));
      const bRun = d.sim.dispatches.find((x) => x.reportId === b.id && x.worked);
      if (!bRun?.endedAt) throw new Error('B never ran');
      waits[name] = bRun.endedAt - START;
      // A's work that started before B's: bounded by A's places, not by the size of its flood.
      const aheadOfB = worked(d.sim.dispatches).filter(
        (x) => x.tenantId === 'a' && x.startedAt < bRun.startedAt,
      );
      if (name === 'shared') expect(aheadOfB.length).toBeLessThanOrEqual(4);
      else expect(aheadOfB.length).toBeGreaterThan(20);
    }
    // B's report alone takes one unit: served within 3x of that under the flood, and far later unshared.
    expect(waits.shared).toBeLessThanOrEqual(3 * UNIT);
    expect(waits.unshared).toBeGreaterThan(6 * UNIT);
  });

  it('never lets a tenant pass its places or its chunk window, and starts its reports in the order asked', async () => {
    const share = { places: 3, window: 4 };
    const d = deployment(share);
    let maxProcessing = 0;
    let maxOut = 0;
    d.sim.onStep = async () => {
      maxProcessing = Math.max(maxProcessing, await d.store.countProcessing('a'));
      // Chunk messages out per tenant: running, or waiting on the queue (one per chunk).
      const out = new Set<string>();
      for (const x of d.sim.running())
        if (x.chunk !== null && x.tenantId === 'a') out.add(`${x.reportId}/${x.chunk}`);
      for (const { body } of d.sim.queued()) {
        const m = body as { tenantId: string; reportId: string; chunkIndex?: number };
        if (m.chunkIndex !== undefined && m.tenantId === 'a') out.add(`${m.reportId}/${m.chunkIndex}`);
      }
      maxOut = Math.max(maxOut, out.size);
    };
    const asked = await flood(d, 4, 10);
    await d.run();
    expect(await statuses(d)).toEqual(d.reports.map(() => 'Completed'));
    expect(maxProcessing).toBe(share.places);
    expect(maxOut).toBeGreaterThanOrEqual(share.window);
    expect(maxOut).toBeLessThanOrEqual(share.window + share.places);
    // Each report claimed once, in the order asked.
    expect(d.claims.map((r) => r.id)).toEqual(asked.map((r) => r.id));
  });

  it('resumes every waiting request and chunk after a crash at any step, and writes each file once', async () => {
    /** One run of the scenario, with the process dying at operation `k` (none when 0). */
    async function scenario(k: number) {
      const d = deployment({ places: 2, window: 2 }, 2);
      const [chunked] = await flood(d, 1, 2);
      await d.ask('b', 'small');
      if (k > 0) d.sim.crashAt(k);
      await d.run(2_000);
      return { d, chunked, operations: d.sim.operations };
    }
    const clean = await scenario(0);
    const expected = (await singlePassRatings(source, 'csv', ALL_TIME)).toString('utf8');
    expect(clean.operations).toBeGreaterThan(50);
    for (let k = 1; k <= clean.operations; k++) {
      const { d, chunked } = await scenario(k);
      expect(await statuses(d), `crash at operation ${k}`).toEqual(d.reports.map(() => 'Completed'));
      const report = chunked && (await d.store.get('a', chunked.id))?.doc;
      expect(d.blocks.files.get(report?.blobName ?? '')?.content, `crash at operation ${k}`).toBe(expected);
    }
  }, 120_000);
});
