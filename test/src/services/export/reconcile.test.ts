// The watchdog's re-drive of stalled work (src/services/export/reconcile.ts), on the simulated queue on
// virtual time: messages that leave the queue unprocessed (removed here as a purge or an expired time to
// live would) no longer strand their report. A single pass and a chunked export complete after the grace
// period, byte for byte, without reading finished chunks again; a cancel of a stranded chunked export ends
// it at the next sweep, even behind more older stalled reports than one query returns; a report that never
// starts is Failed after the bound, and holds its tenant's place for the grace period only; a stranded
// report is found behind more waiting requests than one sweep looks at; and a report that only waits its
// tenant's turn is left alone. test/src/functions/redrive-chunked.test.ts runs the chunked cases end to end.
import { describe, expect, it } from 'vitest';
import { exportRequested } from '../../../../src/domain/report';
import { reportDocument } from '../../../support/report-document';
import { singlePassRatings } from '../../../support/single-pass';
import { ALL_TIME, deployment, source, START, UNIT, type Deployment } from '../../../support/sim-deployment';

const GRACE_SECONDS = 30;
const reconcile = { reconcileGraceSeconds: GRACE_SECONDS, maxRedrives: 2 };

type Body = { reportId?: string; chunkIndex?: number };
const isChunk = (body: unknown) => (body as Body).chunkIndex !== undefined;

/**
 * Once two chunks of tenant a's export `reportId` have run, every chunk message on the queue goes missing
 * and a DELETE asks for the cancel (as the report service does on a running report). `at`: when.
 */
function strandThenCancel(d: Deployment, reportId: string): { at: number } {
  const cancelled = { at: 0 };
  d.sim.onStep = async () => {
    const ran = d.sim.dispatches.filter((x) => x.chunk !== null && x.outcome === 'chunk-done').length;
    if (ran < 2 || cancelled.at !== 0) return;
    d.sim.lose(isChunk);
    const stored = await d.store.get('a', reportId);
    if (!stored) throw new Error('no report');
    await d.store.replace({ ...stored.doc, cancelRequested: true }, stored.etag);
    cancelled.at = d.sim.t;
  };
  return cancelled;
}

describe('re-driving stalled work', () => {
  it('completes a single-pass report whose message left the queue, after the grace period', async () => {
    const d = deployment({ places: 4, window: 4 }, 4, reconcile);
    const report = await d.ask('a', 'small');
    d.sim.relay(d.store);
    expect(d.sim.lose((body) => (body as Body).reportId === report.id)).toBe(1);
    await d.run();
    const done = (await d.store.get('a', report.id))?.doc;
    // Claimed after the re-drive: it holds its places again.
    expect(done).toMatchObject({ status: 'Completed', redrives: 1, redrivenAt: null });
    // Not before the grace period: the report was left alone until then.
    const firstRun = d.sim.dispatches.find((x) => x.reportId === report.id);
    expect(firstRun?.startedAt ?? 0).toBeGreaterThanOrEqual(START + GRACE_SECONDS * 1000);
  });

  it('completes a chunked export whose waiting chunk messages left the queue, reading no finished chunk again', async () => {
    const d = deployment({ places: 4, window: 2 }, 2, reconcile);
    const report = await d.ask('a', 'chunked');
    let lost = 0;
    // Once two chunks have run, every chunk message on the queue goes missing.
    d.sim.onStep = () => {
      const ran = d.sim.dispatches.filter((x) => x.chunk !== null && x.outcome === 'chunk-done').length;
      if (ran >= 2 && lost === 0) lost = d.sim.lose(isChunk);
      return Promise.resolve();
    };
    await d.run();
    expect(lost).toBeGreaterThan(0);
    const done = (await d.store.get('a', report.id))?.doc;
    expect(done?.status).toBe('Completed');
    expect(done?.redrives).toBeGreaterThanOrEqual(1);
    const expected = (await singlePassRatings(source, 'csv', ALL_TIME)).toString('utf8');
    expect(d.blocks.files.get(done?.blobName ?? '')?.content).toBe(expected);
    // Each chunk read its rows once.
    const reads = d.sim.dispatches.filter((x) => x.chunk !== null && x.worked).map((x) => x.chunk);
    expect(reads.length).toBe(new Set(reads).size);
  });

  it('ends a stranded chunked export Cancelled at the next sweep after a cancel, and writes no file', async () => {
    const d = deployment({ places: 4, window: 2 }, 2, reconcile);
    const report = await d.ask('a', 'chunked');
    const cancelled = strandThenCancel(d, report.id);
    await d.run();
    const done = (await d.store.get('a', report.id))?.doc;
    expect(done?.status).toBe('Cancelled');
    // Within one watchdog interval (10 s), not after the grace period.
    expect(Date.parse(done?.completedAt ?? '') - cancelled.at).toBeLessThanOrEqual(10 * UNIT);
    expect(d.blocks.files.get(done?.blobName ?? '')).toBeUndefined();
  });

  it('ends a stranded chunked export Cancelled at the next sweep even behind a backlog of older stalled reports', async () => {
    const d = deployment({ places: 1, window: 2 }, 2, reconcile);
    // Another tenant's backlog, written an hour ago: one export holds its one place (a live claim) and
    // more Pending reports than one sweep looks at wait their turn, with no message on the queue.
    d.store.clock = () => START - 3_600_000;
    const lease = new Date(START + 3_600_000).toISOString();
    const holder = reportDocument({
      tenantId: 'c',
      status: 'Processing',
      leaseOwner: 'w',
      leaseExpiresAt: lease,
    });
    await d.store.createWithOutbox(holder, exportRequested(holder, `outbox-${holder.id}`, holder.createdAt));
    for (let i = 0; i < 120; i++) {
      const waiting = reportDocument({
        tenantId: 'c',
        createdAt: new Date(START - 3_600_000 + i).toISOString(),
      });
      await d.store.createWithOutbox(
        waiting,
        exportRequested(waiting, `outbox-${waiting.id}`, waiting.createdAt),
      );
    }
    d.sim.relay(d.store);
    d.sim.lose((body) => (body as { tenantId?: string }).tenantId === 'c');
    d.store.clock = () => d.sim.t;

    const report = await d.ask('a', 'chunked');
    const cancelled = strandThenCancel(d, report.id);
    await d.run(60);
    const done = (await d.store.get('a', report.id))?.doc;
    expect(done?.status).toBe('Cancelled');
    expect(Date.parse(done?.completedAt ?? '') - cancelled.at).toBeLessThanOrEqual(10 * UNIT);
  });

  it('fails a report whose work never starts after the bound of re-drives', async () => {
    const d = deployment({ places: 4, window: 4 }, 4, reconcile);
    const report = await d.ask('a', 'small');
    // Every message for it goes missing, re-drives included.
    d.sim.onStep = () => {
      d.sim.relay(d.store);
      d.sim.lose((body) => (body as Body).reportId === report.id);
      return Promise.resolve();
    };
    d.sim.relay(d.store);
    d.sim.lose((body) => (body as Body).reportId === report.id);
    await d.run();
    const done = (await d.store.get('a', report.id))?.doc;
    expect(done).toMatchObject({ status: 'Failed', redrives: 2, error: { code: 'Stranded' } });
  });

  it('lets a stranded report hold its tenant’s place for the grace period and no longer', async () => {
    const d = deployment({ places: 1, window: 4 }, 4, reconcile);
    const stranded = await d.ask('a', 'small');
    const behind = await d.ask('a', 'small');
    // Every message of the first goes missing, re-drives included: it never starts and holds the one place.
    const loseFirst = () => {
      d.sim.relay(d.store);
      d.sim.lose((body) => (body as Body).reportId === stranded.id);
    };
    d.sim.onStep = () => {
      loseFirst();
      return Promise.resolve();
    };
    loseFirst();
    await d.run();
    const first = (await d.store.get('a', stranded.id))?.doc;
    const second = (await d.store.get('a', behind.id))?.doc;
    expect(first).toMatchObject({ status: 'Failed', error: { code: 'Stranded' } });
    expect(second?.status).toBe('Completed');
    // The report behind it waited while the first held the place, and started once the first was re-driven:
    // within the grace period, the watchdog's interval (10 s) and its next deferral (2 s), not when the
    // first was Failed after every re-drive (three grace periods).
    const started = Date.parse(second?.startedAt ?? '') - START;
    expect(started).toBeGreaterThanOrEqual(GRACE_SECONDS * UNIT);
    expect(started).toBeLessThanOrEqual((GRACE_SECONDS + 10 + 2 + 2) * UNIT);
    expect(Date.parse(second?.completedAt ?? '')).toBeLessThan(Date.parse(first?.completedAt ?? ''));
  });

  it('finds a stranded report behind more waiting requests than one sweep looks at', async () => {
    const d = deployment({ places: 1, window: 4 }, 4, reconcile);
    // Tenant a holds its one place with an export, and 150 more of its exports wait behind it: more than
    // the pass looks at in one sweep (the 100 least recently written), for far longer than this run.
    for (let i = 0; i < 151; i++) await d.ask('a', 'chunked');
    const stranded = await d.ask('b', 'small');
    d.sim.relay(d.store);
    expect(d.sim.lose((body) => (body as Body).reportId === stranded.id)).toBe(1);
    const ended = async () => (await d.store.get('b', stranded.id))?.doc.status === 'Completed';
    await d.run(200, ended);
    const done = (await d.store.get('b', stranded.id))?.doc;
    expect(done?.redrives).toBe(1);
    // Found within two sweeps after the grace period: the first stamps the 100 oldest waiting requests,
    // which takes them out of the pass for a grace period, and the second finds it. Without the stamp it
    // would wait until fewer than 100 of tenant a's exports were left waiting.
    expect(Date.parse(done?.startedAt ?? '') - START).toBeLessThanOrEqual((GRACE_SECONDS + 20 + 2) * UNIT);
  });

  it('finds a stranded chunked export behind more moving ones than one sweep looks at', async () => {
    // Two reports of each kind a sweep; 48 chunks an export, one chunk message out at a time each.
    const d = deployment({ places: 4, window: 1 }, 4, {
      ...reconcile,
      reconcileGraceSeconds: 5,
      reconcileBatch: 2,
      chunkTargetRows: 50,
    });
    for (let i = 0; i < 3; i++) await d.ask('a', 'chunked');
    const stranded = await d.ask('a', 'chunked');
    const ofStranded = (body: unknown) => isChunk(body) && (body as Body).reportId === stranded.id;
    let lostAt = 0;
    d.sim.onStep = () => {
      if (lostAt === 0 && d.sim.lose(ofStranded) > 0) lostAt = d.sim.t;
      return Promise.resolve();
    };
    const ended = async () => (await d.store.get('a', stranded.id))?.doc.status === 'Completed';
    await d.run(400, ended);
    expect(lostAt).toBeGreaterThan(0);
    expect((await d.store.get('a', stranded.id))?.doc.redrives).toBe(1);
    // The three older exports keep moving for about 50 s. The first sweep after the grace period finds
    // two of them, and stamps them as the batch was full; the next finds the stranded one. Without the
    // stamp it would wait until one of the two ended.
    const resumed = d.sim.dispatches.find((x) => x.reportId === stranded.id && x.startedAt > lostAt);
    expect((resumed?.startedAt ?? Number.POSITIVE_INFINITY) - START).toBeLessThanOrEqual(25 * UNIT);
  });

  it('leaves a report alone that only waits its tenant’s turn', async () => {
    const d = deployment({ places: 1, window: 4 }, 1, { ...reconcile, reconcileGraceSeconds: 5 });
    // Two exports of 12 chunks run one after the other: the second waits far longer than the grace.
    await d.ask('a', 'chunked');
    const second = await d.ask('a', 'chunked');
    await d.run();
    const done = (await d.store.get('a', second.id))?.doc;
    expect(done?.status).toBe('Completed');
    expect(done?.redrives ?? 0).toBe(0);
  });
});
