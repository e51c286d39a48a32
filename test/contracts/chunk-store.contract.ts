// The behaviour every ChunkStore must have, as one suite that runs against each implementation: the
// in-memory store of the unit tests (test/fakes/memory-chunk-store.test.ts) and the Cosmos DB adapter
// (test/src/adapters/cosmos-chunk-store.test.ts). Not a test file itself: each implementation's test file
// calls it.
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { chunkDocumentId, newChunk, type ChunkDocument, type ChunkResult } from '../../src/domain/chunks';
import type { ChunkStore, Stored } from '../../src/services/ports';

/** Chunk `index` of plan 1 of a report of `tenantId` (a new report unless `reportId` is given). */
export function chunk(
  tenantId: string,
  index: number,
  overrides: Partial<ChunkDocument> = {},
  reportId: string = randomUUID(),
): ChunkDocument {
  const report = { id: reportId, tenantId, correlationId: `corr-${reportId}` };
  return { ...newChunk(report, 1, index, { from: index * 10, to: index * 10 + 10 }, 3600), ...overrides };
}

/** Runs the ChunkStore contract against the store `makeStore` makes (a new one for each test). */
export function describeChunkStoreContract(
  name: string,
  makeStore: () => ChunkStore | Promise<ChunkStore>,
): void {
  describe(`${name}: the ChunkStore contract`, () => {
    let store: ChunkStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    async function current(c: ChunkDocument): Promise<Stored<ChunkDocument>> {
      const found = await store.get(c.tenantId, c.id);
      if (!found) throw new Error(`chunk ${c.id} not found`);
      return found;
    }

    /** A Processing chunk of a tenant of its own whose lease lapses at `leaseExpiresAt`. */
    const leased = (leaseExpiresAt: string | null, overrides: Partial<ChunkDocument> = {}) =>
      chunk(`t-${randomUUID()}`, 0, { status: 'Processing', leaseOwner: 'w', leaseExpiresAt, ...overrides });

    describe('createMissing', () => {
      it('creates every chunk, each with an etag', async () => {
        const reportId = randomUUID();
        const tenantId = randomUUID();
        const chunks = [0, 1, 2].map((index) => chunk(tenantId, index, {}, reportId));
        await store.createMissing(chunks);

        for (const c of chunks) {
          const found = await store.get(tenantId, c.id);
          expect(found?.doc).toEqual(c);
          expect(found?.etag).toEqual(expect.any(String));
        }
      });

      it('leaves the chunks that are there as they are and creates the missing ones', async () => {
        const reportId = randomUUID();
        const tenantId = randomUUID();
        const first = chunk(tenantId, 0, {}, reportId);
        await store.createMissing([first]);
        const before = await current(first);
        const claimed = await store.replace({ ...first, status: 'Processing', attempts: 1 }, before.etag);
        if (claimed === 'conflict') throw new Error('unexpected conflict');

        const second = chunk(tenantId, 1, {}, reportId);
        await store.createMissing([first, second]);
        expect(await current(first)).toEqual(claimed);
        expect((await current(second)).doc).toEqual(second);
      });

      it('does nothing for no chunks', async () => {
        await expect(store.createMissing([])).resolves.toBeUndefined();
      });
    });

    describe('get', () => {
      it('is undefined for an unknown id and for another tenant’s chunk', async () => {
        const c = chunk(randomUUID(), 0);
        await store.createMissing([c]);

        expect(await store.get(c.tenantId, randomUUID())).toBeUndefined();
        expect(await store.get(randomUUID(), c.id)).toBeUndefined();
      });

      it('keeps the same id in two tenants apart', async () => {
        const reportId = randomUUID();
        const a = chunk(randomUUID(), 0, { processedRows: 1 }, reportId);
        const b = chunk(randomUUID(), 0, { processedRows: 2 }, reportId);
        await store.createMissing([a, b]);

        expect((await current(a)).doc.processedRows).toBe(1);
        expect((await current(b)).doc.processedRows).toBe(2);
      });

      it('hands out a copy: changing it changes nothing stored', async () => {
        const c = chunk(randomUUID(), 0);
        await store.createMissing([c]);
        const found = await current(c);
        found.doc.status = 'Done';

        expect((await current(c)).doc).toEqual(c);
      });
    });

    describe('replace', () => {
      it('replaces with the current etag and returns the new one', async () => {
        const c = chunk(randomUUID(), 0);
        await store.createMissing([c]);
        const before = await current(c);

        const updated: ChunkDocument = { ...c, status: 'Processing', leaseOwner: 'w1', attempts: 1 };
        const result = await store.replace(updated, before.etag);
        if (result === 'conflict') throw new Error('unexpected conflict');
        expect(result.doc).toEqual(updated);
        expect(result.etag).not.toBe(before.etag);
        expect(await current(c)).toEqual(result);
      });

      it("is 'conflict' with a stale etag and leaves the chunk unchanged", async () => {
        const c = chunk(randomUUID(), 0);
        await store.createMissing([c]);
        const stale = await current(c);
        const first = await store.replace({ ...c, status: 'Processing', leaseOwner: 'w1' }, stale.etag);
        if (first === 'conflict') throw new Error('unexpected conflict');

        expect(await store.replace({ ...c, status: 'Processing', leaseOwner: 'w2' }, stale.etag)).toBe(
          'conflict',
        );
        expect(await current(c)).toEqual(first);
      });

      it("is 'conflict' with the etag of the same chunk id in another tenant", async () => {
        const reportId = randomUUID();
        const a = chunk(randomUUID(), 0, {}, reportId);
        const b = chunk(randomUUID(), 0, {}, reportId);
        await store.createMissing([a, b]);
        const ofA = await current(a);

        expect(await store.replace({ ...b, status: 'Done' }, ofA.etag)).toBe('conflict');
        expect((await current(b)).doc.status).toBe('Pending');
      });

      it('fails for a chunk that is not there, and creates nothing', async () => {
        const other = chunk(randomUUID(), 0);
        await store.createMissing([other]);
        const { etag } = await current(other);
        const missing = chunk(randomUUID(), 0);

        await expect(store.replace(missing, etag)).rejects.toMatchObject({
          name: 'DependencyError',
          status: 404,
        });
        expect(await store.get(missing.tenantId, missing.id)).toBeUndefined();
      });
    });

    describe('findExpiredLeases', () => {
      it('finds Processing chunks of every tenant whose lease lapsed, oldest first', async () => {
        const now = new Date('2029-06-01T00:00:00.000Z');
        const lapsed1 = leased('2029-05-31T23:59:00.000Z');
        const lapsed2 = leased('2029-05-31T23:58:00.000Z');
        const live = leased('2029-06-01T00:01:00.000Z');
        const pending = leased('2029-05-31T00:00:00.000Z', { status: 'Pending' });
        const done = leased('2029-05-31T00:00:00.000Z', { status: 'Done' });
        const noLease = leased(null);
        const all = [lapsed1, lapsed2, live, pending, done, noLease];
        await store.createMissing(all);

        const found = await store.findExpiredLeases(now, 1000);
        const ours = found.filter((s) => all.some((c) => c.id === s.doc.id && c.tenantId === s.doc.tenantId));
        expect(ours.map((s) => s.doc)).toEqual([lapsed2, lapsed1]);
        for (const s of ours) expect(s.etag).toBe((await current(s.doc)).etag);
      });

      it('returns at most `limit`, the oldest', async () => {
        // Leases from before any other test's, so the oldest ones are these.
        const now = new Date('2000-01-02T00:00:00.000Z');
        const chunks = [3, 1, 2].map((minute) => leased(`2000-01-01T00:0${minute}:00.000Z`));
        await store.createMissing(chunks);

        const found = await store.findExpiredLeases(now, 2);
        expect(found.map((s) => s.doc.id)).toEqual([chunks[1]?.id, chunks[2]?.id]);
      });
    });

    describe('the reads of one plan: countDone, tally, results', () => {
      /** Chunks 0-3 of plan 1 of one report: 0 and 2 Done, 1 running with rows, 3 Pending. */
      async function plan() {
        const tenantId = randomUUID();
        const reportId = randomUUID();
        const result = (rows: number): ChunkResult => ({ attempt: 2, blocks: 3, rows, bytes: rows * 10 });
        const chunks = [
          chunk(tenantId, 0, { status: 'Done', processedRows: 100, result: result(100) }, reportId),
          chunk(tenantId, 1, { status: 'Processing', processedRows: 40 }, reportId),
          chunk(tenantId, 2, { status: 'Done', processedRows: 7, result: result(7) }, reportId),
          chunk(tenantId, 3, {}, reportId),
        ];
        // Not of this plan: another plan of the report, the same report id in another tenant.
        const others = [
          chunk(
            tenantId,
            0,
            {
              id: chunkDocumentId(reportId, 2, 0),
              planId: 2,
              status: 'Done',
              processedRows: 5,
              result: result(5),
            },
            reportId,
          ),
          chunk(randomUUID(), 0, { status: 'Done', processedRows: 9, result: result(9) }, reportId),
        ];
        await store.createMissing([...chunks, ...others]);
        return { tenantId, reportId, result };
      }

      it('counts the Done chunks of the plan only', async () => {
        const { tenantId, reportId } = await plan();
        expect(await store.countDone(tenantId, reportId, 1)).toBe(2);
        expect(await store.countDone(tenantId, reportId, 3)).toBe(0);
        expect(await store.countDone(randomUUID(), reportId, 1)).toBe(0);
      });

      it('lists the chunks not Done, lowest index first, at most `limit`', async () => {
        const { tenantId, reportId } = await plan();
        expect(await store.notDone(tenantId, reportId, 1, 10)).toEqual([
          { index: 1, status: 'Processing' },
          { index: 3, status: 'Pending' },
        ]);
        expect(await store.notDone(tenantId, reportId, 1, 1)).toEqual([{ index: 1, status: 'Processing' }]);
        expect(await store.notDone(tenantId, reportId, 2, 10)).toEqual([]);
      });

      it('tells when a chunk of the plan was last written and how many hold a live lease', async () => {
        const before = Date.now();
        const { tenantId, reportId } = await plan();
        const running = await store.get(tenantId, chunkDocumentId(reportId, 1, 1));
        if (!running) throw new Error('no chunk 1');
        const until = new Date(Date.now() + 60_000).toISOString();
        await store.replace({ ...running.doc, leaseOwner: 'w', leaseExpiresAt: until }, running.etag);
        const activity = await store.activity(tenantId, reportId, 1, new Date());
        expect(activity.running).toBe(1);
        // Cosmos DB stamps writes in whole seconds.
        expect(activity.lastWriteMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
        expect(activity.lastWriteMs).toBeLessThanOrEqual(Date.now() + 1000);
        expect((await store.activity(tenantId, reportId, 1, new Date(Date.now() + 120_000))).running).toBe(0);
        expect(await store.activity(tenantId, randomUUID(), 1, new Date())).toEqual({
          lastWriteMs: 0,
          running: 0,
        });
      });

      it('tallies chunks Done and the rows of every chunk of the plan, running ones included', async () => {
        const { tenantId, reportId } = await plan();
        expect(await store.tally(tenantId, reportId, 1)).toEqual({ done: 2, rows: 147 });
        expect(await store.tally(tenantId, randomUUID(), 1)).toEqual({ done: 0, rows: 0 });
      });

      it('gives the result of each Done chunk of the plan by index', async () => {
        const { tenantId, reportId, result } = await plan();
        const results = await store.results(tenantId, reportId, 1);
        expect([...results.entries()].sort(([a], [b]) => a - b)).toEqual([
          [0, result(100)],
          [2, result(7)],
        ]);
        expect((await store.results(tenantId, reportId, 2)).get(0)).toEqual(result(5));
      });
    });
  });
}
