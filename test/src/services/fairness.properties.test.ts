// Fair sharing between tenants, as properties of the whole pipeline: the real export worker (admission,
// plan, chunk window, freed places, commit, watchdog) over the in-memory stores, driven by a simulated
// queue on virtual time (test/support/queue-sim.ts) in which every message that does real work takes one
// unit. Stated as published fairness tests state them: a tenant alone gets all capacity; a tenant with one
// job is served within a bounded number of dispatches while another floods; the per-tenant limits are
// never exceeded; a tenant's order is kept; and waiting work resumes after a crash at any step.
import { describe, expect, it } from 'vitest';
import {
  ALL_TIME,
  deployment,
  drained,
  flood,
  source,
  START,
  statuses,
  UNIT,
  worked,
} from '../../support/sim-deployment';
import { singlePassRatings } from '../../support/single-pass';

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
