// The behaviour every ReportStore must have, as one suite that runs against each implementation: the
// in-memory store of the unit tests (test/fakes/memory-report-store.test.ts) and the Cosmos DB adapter
// (test/src/adapters/cosmos-report-store.test.ts). A fake that passes it behaves like Cosmos for every
// call the services make. Not a test file itself: each implementation's test file calls it.
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidContinuationTokenError } from '../../src/domain/errors';
import {
  exportRequested,
  summaryOf,
  type OutboxDocument,
  type ReportDocument,
} from '../../src/domain/report';
import { reportEventId, reportEventOutbox } from '../../src/domain/webhooks';
import type { ReportStore } from '../../src/services/ports';
import { reportDocument } from '../support/report-document';

export interface ReportStoreSubject {
  store: ReportStore;
  /**
   * The document of any kind (report or outbox message) stored under `id` in the tenant's partition,
   * as the implementation holds it; undefined when there is none.
   */
  stored: (tenantId: string, id: string) => Promise<Record<string, unknown> | undefined>;
}

/** A Pending report of `owner-1` in `tenantId`, created now, with `overrides`. */
export function report(tenantId: string, overrides: Partial<ReportDocument> = {}): ReportDocument {
  return reportDocument({
    tenantId,
    ownerId: 'owner-1',
    reportType: 'sales',
    parameters: { year: 2024 },
    requestHash: 'hash-1',
    correlationId: randomUUID(),
    ...overrides,
  });
}

/** The report's `ExportRequested` outbox message, with an id of its own. */
export const outboxFor = (r: ReportDocument): OutboxDocument => exportRequested(r, randomUUID(), r.createdAt);

/** Reports created one per minute so their order by createdAt is unambiguous. */
export function minutesAfter(base: number, minutes: number): string {
  return new Date(base + minutes * 60_000).toISOString();
}

/** Runs the ReportStore contract against the store `subject` makes (a new one for each test). */
export function describeReportStoreContract(
  name: string,
  subject: () => ReportStoreSubject | Promise<ReportStoreSubject>,
): void {
  describe(`${name}: the ReportStore contract`, () => {
    let store: ReportStore;
    let stored: ReportStoreSubject['stored'];

    beforeEach(async () => {
      ({ store, stored } = await subject());
    });

    async function seed(r: ReportDocument): Promise<ReportDocument> {
      expect(await store.createWithOutbox(r, outboxFor(r))).toBe('created');
      return r;
    }

    async function current(tenantId: string, id: string): Promise<{ doc: ReportDocument; etag: string }> {
      const found = await store.get(tenantId, id);
      if (!found) throw new Error(`report ${id} not found`);
      return found;
    }

    /** A report written once more after `stale` was read: `stale.etag` is out of date, `first` is current. */
    async function staleAfterAnotherWrite() {
      const tenantId = randomUUID();
      const r = await seed(report(tenantId));
      const stale = await current(tenantId, r.id);
      const first = await store.replace({ ...stale.doc, status: 'Processing' }, stale.etag);
      if (first === 'conflict') throw new Error('unexpected conflict');
      return { tenantId, r, stale, first };
    }

    describe('createWithOutbox', () => {
      it('writes the report and its outbox message in the same partition', async () => {
        const tenantId = randomUUID();
        const r = report(tenantId);
        const o = outboxFor(r);
        expect(await store.createWithOutbox(r, o)).toBe('created');

        expect(await stored(tenantId, r.id)).toMatchObject({ ...r });
        expect(await stored(tenantId, o.id)).toMatchObject({ ...o, tenantId, kind: 'outbox' });
      });

      it("is 'conflict' for an existing report id and does not write the second outbox message", async () => {
        const tenantId = randomUUID();
        const first = await seed(report(tenantId));
        const again = report(tenantId, { id: first.id, ownerId: 'someone-else' });
        const secondOutbox = outboxFor(again);

        expect(await store.createWithOutbox(again, secondOutbox)).toBe('conflict');
        expect(await stored(tenantId, secondOutbox.id)).toBeUndefined();
        expect(await stored(tenantId, first.id)).toMatchObject({ ownerId: 'owner-1' });
      });

      it('refuses an outbox message of another tenant, and writes nothing', async () => {
        const r = report(randomUUID());
        const o = { ...outboxFor(r), tenantId: randomUUID() };

        await expect(store.createWithOutbox(r, o)).rejects.toThrow();
        expect(await stored(r.tenantId, r.id)).toBeUndefined();
        expect(await stored(o.tenantId, o.id)).toBeUndefined();
      });

      it('keeps the same id in two tenants apart', async () => {
        const id = randomUUID();
        const [a, b] = [randomUUID(), randomUUID()];
        await seed(report(a, { id, ownerId: 'owner-a' }));
        await seed(report(b, { id, ownerId: 'owner-b' }));

        expect((await store.get(a, id))?.doc.ownerId).toBe('owner-a');
        expect((await store.get(b, id))?.doc.ownerId).toBe('owner-b');
      });
    });

    describe('get', () => {
      it('returns the document as written, and an etag', async () => {
        const tenantId = randomUUID();
        const r = await seed(report(tenantId));
        const found = await store.get(tenantId, r.id);
        expect(found).toBeDefined();
        expect(found?.doc).toEqual(r);
        expect(found?.etag).toEqual(expect.any(String));
        // Nothing changed: the same etag again.
        expect((await store.get(tenantId, r.id))?.etag).toBe(found?.etag);
      });

      it('is undefined for an unknown id, an outbox id and another tenant’s report', async () => {
        const tenantId = randomUUID();
        const r = report(tenantId);
        const o = outboxFor(r);
        expect(await store.createWithOutbox(r, o)).toBe('created');

        expect(await store.get(tenantId, randomUUID())).toBeUndefined();
        expect(await store.get(tenantId, o.id)).toBeUndefined();
        expect(await store.get(randomUUID(), r.id)).toBeUndefined();
      });

      it('hands out a copy: changing it changes nothing stored', async () => {
        const tenantId = randomUUID();
        const r = await seed(report(tenantId));
        const found = await current(tenantId, r.id);
        found.doc.status = 'Completed';
        found.doc.progress.processedRows = 99;

        expect((await current(tenantId, r.id)).doc).toEqual(r);
      });
    });

    describe('findActive', () => {
      it('finds a Pending or Processing report of the owner with the same request hash', async () => {
        const tenantId = randomUUID();
        const pending = await seed(report(tenantId, { requestHash: 'h-pending' }));
        const processing = await seed(
          report(tenantId, { requestHash: 'h-processing', status: 'Processing' }),
        );

        expect(await store.findActive(tenantId, 'owner-1', 'h-pending')).toEqual(pending);
        expect(await store.findActive(tenantId, 'owner-1', 'h-processing')).toEqual(processing);
      });

      it('ignores finished reports, other owners, other hashes and other tenants', async () => {
        const tenantId = randomUUID();
        await seed(report(tenantId, { requestHash: 'h', status: 'Completed' }));
        await seed(report(tenantId, { requestHash: 'h', status: 'Failed' }));
        await seed(report(tenantId, { requestHash: 'h', ownerId: 'owner-2' }));
        const otherTenant = randomUUID();
        await seed(report(otherTenant, { requestHash: 'h' }));

        expect(await store.findActive(tenantId, 'owner-1', 'h')).toBeUndefined();
        expect(await store.findActive(tenantId, 'owner-1', 'other-hash')).toBeUndefined();
        expect(await store.findActive(tenantId, 'owner-2', 'h')).toMatchObject({ ownerId: 'owner-2' });
        expect(await store.findActive(otherTenant, 'owner-1', 'h')).toMatchObject({ tenantId: otherTenant });
      });

      it('finds the newest when several are active', async () => {
        const tenantId = randomUUID();
        const base = Date.parse('2024-05-01T00:00:00Z');
        await seed(report(tenantId, { requestHash: 'h', createdAt: minutesAfter(base, 1) }));
        const newest = await seed(
          report(tenantId, { requestHash: 'h', createdAt: minutesAfter(base, 3), status: 'Processing' }),
        );
        await seed(report(tenantId, { requestHash: 'h', createdAt: minutesAfter(base, 2) }));

        expect(await store.findActive(tenantId, 'owner-1', 'h')).toEqual(newest);
      });
    });

    describe('countActive', () => {
      it('counts the owner’s Pending and Processing reports of the tenant, and nothing else', async () => {
        const tenantId = randomUUID();
        await seed(report(tenantId));
        await seed(report(tenantId, { status: 'Processing' }));
        await seed(report(tenantId, { status: 'Pending' }));
        for (const status of ['Completed', 'Failed', 'Cancelled'] as const)
          await seed(report(tenantId, { status }));
        await seed(report(tenantId, { ownerId: 'owner-2' }));
        await seed(report(randomUUID()));

        expect(await store.countActive(tenantId, 'owner-1')).toBe(3);
        expect(await store.countActive(tenantId, 'owner-2')).toBe(1);
        expect(await store.countActive(tenantId, 'nobody')).toBe(0);
      });
    });

    describe('countAhead', () => {
      it('counts the tenant’s Processing reports and the Pending ones asked before the given one', async () => {
        const tenantId = randomUUID();
        const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
        await seed(report(tenantId, { status: 'Processing', createdAt: at(50), ownerId: 'someone' }));
        await seed(report(tenantId, { status: 'Pending', createdAt: at(1) }));
        await seed(
          report(tenantId, {
            status: 'Pending',
            createdAt: at(2),
            id: '00000000-0000-4000-8000-000000000001',
          }),
        );
        await seed(report(tenantId, { status: 'Completed', createdAt: at(1) }));
        await seed(report(tenantId, { status: 'Pending', createdAt: at(9) }));
        await seed(report(randomUUID(), { status: 'Processing', createdAt: at(0) }));

        // Ahead of a report asked at second 2: the Processing one, the Pending one of second 1, and the
        // Pending one of second 2 with the smaller id; not the later Pending one, the finished one or the
        // other tenant's.
        const mine = { id: 'ffffffff-0000-4000-8000-000000000000', createdAt: at(2) };
        expect(await store.countAhead(tenantId, mine)).toBe(3);
        expect(await store.countAhead(tenantId, { id: mine.id, createdAt: at(0) })).toBe(1);
        expect(await store.countAhead(randomUUID(), mine)).toBe(0);
      });
    });

    describe('findStalled and findCancelling', () => {
      it('finds Pending reports and chunked exports under way not written since, and cancelling ones at once', async () => {
        const tenantId = randomUUID();
        const plan = { planId: 1, count: 3, estimatedRows: 30 };
        const pending = await seed(report(tenantId));
        const underWay = await seed(
          report(tenantId, { status: 'Processing', chunkPlan: plan, leaseOwner: null, leaseExpiresAt: null }),
        );
        const cancelled = await seed(
          report(tenantId, {
            status: 'Processing',
            chunkPlan: plan,
            leaseOwner: null,
            leaseExpiresAt: null,
            cancelRequested: true,
          }),
        );
        // Claimed (a lease), a single pass running, a finished one: never stalled in this sense.
        const lease = new Date(Date.now() + 60_000).toISOString();
        await seed(
          report(tenantId, { status: 'Processing', chunkPlan: plan, leaseOwner: 'w', leaseExpiresAt: lease }),
        );
        await seed(report(tenantId, { status: 'Processing', leaseOwner: 'w', leaseExpiresAt: lease }));
        await seed(report(tenantId, { status: 'Completed' }));
        const mine = async (before: Date) =>
          (await store.findStalled(before, 1000))
            .filter((s) => s.doc.tenantId === tenantId)
            .map((s) => s.doc.id)
            .sort();

        expect(await mine(new Date(Date.now() + 5_000))).toEqual(
          [pending.id, underWay.id, cancelled.id].sort(),
        );
        expect(await mine(new Date(Date.now() - 60_000))).toEqual([]);
        const cancelling = (await store.findCancelling(1000)).filter((s) => s.doc.tenantId === tenantId);
        expect(cancelling.map((s) => s.doc.id)).toEqual([cancelled.id]);
        expect(cancelling[0]?.etag).toBeTruthy();
        const found = (await store.findStalled(new Date(Date.now() + 5_000), 1000)).find(
          (s) => s.doc.id === pending.id,
        );
        // With its etag, so that the watchdog's write is conditional.
        expect(found?.etag).toBeTruthy();
      });
    });

    describe('countProcessing and oldestPending', () => {
      it('counts the tenant’s Processing reports and lists its oldest Pending ones in the order asked', async () => {
        const tenantId = randomUUID();
        const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
        await seed(report(tenantId, { status: 'Processing', createdAt: at(50) }));
        await seed(report(tenantId, { status: 'Processing', createdAt: at(51), ownerId: 'someone' }));
        const third = await seed(report(tenantId, { status: 'Pending', createdAt: at(3) }));
        const first = await seed(report(tenantId, { status: 'Pending', createdAt: at(1) }));
        const second = await seed(report(tenantId, { status: 'Pending', createdAt: at(2) }));
        await seed(report(tenantId, { status: 'Completed', createdAt: at(0) }));
        await seed(report(randomUUID(), { status: 'Pending', createdAt: at(0) }));
        await seed(report(randomUUID(), { status: 'Processing', createdAt: at(0) }));

        expect(await store.countProcessing(tenantId)).toBe(2);
        expect(await store.countProcessing(randomUUID())).toBe(0);
        expect((await store.oldestPending(tenantId, 2)).map((r) => r.id)).toEqual([first.id, second.id]);
        const all = await store.oldestPending(tenantId, 10);
        expect(all.map((r) => r.id)).toEqual([first.id, second.id, third.id]);
        expect(all[0]).toMatchObject({ tenantId, status: 'Pending', reportType: first.reportType });
        expect(await store.oldestPending(randomUUID(), 10)).toEqual([]);
      });
    });

    describe('places of re-driven reports', () => {
      it('leaves a report re-driven and not claimed since out of every count of places', async () => {
        const tenantId = randomUUID();
        const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
        const redrivenAt = at(30);
        await seed(report(tenantId, { status: 'Pending', createdAt: at(1), redrivenAt }));
        await seed(report(tenantId, { status: 'Processing', createdAt: at(2), redrivenAt }));
        // Claimed again since (the claim clears the stamp): it holds its place.
        await seed(report(tenantId, { status: 'Processing', createdAt: at(3), redrivenAt: null }));
        const later = { id: randomUUID(), createdAt: at(9) };

        expect(await store.countActive(tenantId, 'owner-1')).toBe(1);
        expect(await store.countProcessing(tenantId)).toBe(1);
        expect(await store.countAhead(tenantId, later)).toBe(1);
        // Still found as the tenant's oldest waiting request, so that a freed place can send it again.
        expect((await store.oldestPending(tenantId, 10)).map((r) => r.createdAt)).toEqual([at(1)]);
      });
    });

    describe('list', () => {
      it('lists the tenant’s reports newest first and applies the filters', async () => {
        const tenantId = randomUUID();
        const base = Date.parse('2024-01-01T00:00:00Z');
        const a = await seed(report(tenantId, { createdAt: minutesAfter(base, 1) }));
        const b = await seed(
          report(tenantId, { createdAt: minutesAfter(base, 2), ownerId: 'owner-2', status: 'Completed' }),
        );
        const c = await seed(
          report(tenantId, { createdAt: minutesAfter(base, 3), reportType: 'inventory', format: 'xlsx' }),
        );
        await seed(report(randomUUID(), { createdAt: minutesAfter(base, 4) }));

        const ids = async (filter: Parameters<ReportStore['list']>[1]): Promise<string[]> => {
          const page = await store.list(tenantId, filter, 10);
          expect(page.continuationToken).toBeNull();
          return page.items.map((item) => item.id);
        };
        expect(await ids({})).toEqual([c.id, b.id, a.id]);
        expect(await ids({ ownerId: 'owner-1' })).toEqual([c.id, a.id]);
        expect(await ids({ status: 'Completed' })).toEqual([b.id]);
        expect(await ids({ reportType: 'inventory' })).toEqual([c.id]);
        expect(await ids({ format: 'xlsx' })).toEqual([c.id]);
        expect(await ids({ format: 'pdf' })).toEqual([]);
        expect(await ids({ ownerId: 'owner-1', status: 'Completed' })).toEqual([]);

        // A list page holds what the resource shows, and nothing else of the document.
        const page = await store.list(tenantId, {}, 10);
        expect(page.items[0]).toEqual(summaryOf(c));
        expect(page.items[0]).not.toHaveProperty('requestHash');
        expect(page.items[0]).not.toHaveProperty('correlationId');
      });

      it('is an empty page with a null token for a tenant without reports', async () => {
        expect(await store.list(randomUUID(), {}, 10)).toEqual({ items: [], continuationToken: null });
      });

      it('pages through every report exactly once, in order, and ends with a null token', async () => {
        const tenantId = randomUUID();
        const base = Date.parse('2024-02-01T00:00:00Z');
        const created: ReportDocument[] = [];
        for (let i = 0; i < 5; i++)
          created.push(await seed(report(tenantId, { createdAt: minutesAfter(base, i) })));
        // Noise in the same store: another tenant, and this tenant's outbox documents.
        for (let i = 0; i < 3; i++) await seed(report(randomUUID(), { createdAt: minutesAfter(base, i) }));

        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await store.list(tenantId, {}, 2, token);
          pages++;
          expect(page.items.length).toBeGreaterThan(0);
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((item) => item.id));
          token = page.continuationToken ?? undefined;
          if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        } while (token !== undefined && pages < 10);

        expect(token).toBeUndefined();
        expect(seen).toEqual(created.map((r) => r.id).reverse());
      });

      it('pages through a filtered list, and a token can be used again', async () => {
        const tenantId = randomUUID();
        const base = Date.parse('2024-06-01T00:00:00Z');
        const completed: ReportDocument[] = [];
        for (let i = 0; i < 6; i++) {
          const r = await seed(
            report(tenantId, { createdAt: minutesAfter(base, i), status: i % 2 ? 'Completed' : 'Pending' }),
          );
          if (r.status === 'Completed') completed.push(r);
        }

        const first = await store.list(tenantId, { status: 'Completed' }, 2);
        expect(first.items.map((r) => r.id)).toEqual([completed[2]?.id, completed[1]?.id]);
        const token = first.continuationToken;
        if (token === null) throw new Error('expected a continuation token');
        const second = await store.list(tenantId, { status: 'Completed' }, 2, token);
        expect(second).toEqual({ items: [summaryOf(completed[0]!)], continuationToken: null });
        expect(await store.list(tenantId, { status: 'Completed' }, 2, token)).toEqual(second);
      });

      it('refuses a garbage token and a token issued for another query', async () => {
        const tenantId = randomUUID();
        const base = Date.parse('2024-03-01T00:00:00Z');
        for (let i = 0; i < 3; i++) await seed(report(tenantId, { createdAt: minutesAfter(base, i) }));
        const first = await store.list(tenantId, {}, 2);
        const token = first.continuationToken;
        expect(token).not.toBeNull();
        if (token === null) return;

        // The token itself works for its own query.
        expect((await store.list(tenantId, {}, 2, token)).items).toHaveLength(1);

        for (const bad of ['garbage!', 'bm90LWpzb24', Buffer.from('{"q":1}').toString('base64url'), '']) {
          await expect(store.list(tenantId, {}, 2, bad)).rejects.toBeInstanceOf(
            InvalidContinuationTokenError,
          );
        }
        await expect(store.list(tenantId, { ownerId: 'owner-1' }, 2, token)).rejects.toBeInstanceOf(
          InvalidContinuationTokenError,
        );
        await expect(store.list(tenantId, {}, 3, token)).rejects.toBeInstanceOf(
          InvalidContinuationTokenError,
        );
        await expect(store.list(randomUUID(), {}, 2, token)).rejects.toBeInstanceOf(
          InvalidContinuationTokenError,
        );
      });

      it('refuses a page size that is not a positive integer', async () => {
        const tenantId = randomUUID();
        await seed(report(tenantId));
        for (const pageSize of [0, -1, 1.5, Number.NaN]) {
          await expect(store.list(tenantId, {}, pageSize)).rejects.toBeInstanceOf(RangeError);
        }
      });
    });

    describe('replace', () => {
      it('replaces with the current etag and returns the new one', async () => {
        const tenantId = randomUUID();
        const r = await seed(report(tenantId));
        const before = await current(tenantId, r.id);

        const updated: ReportDocument = {
          ...before.doc,
          status: 'Processing',
          startedAt: new Date().toISOString(),
        };
        const result = await store.replace(updated, before.etag);
        if (result === 'conflict') throw new Error('unexpected conflict');
        expect(result.doc).toEqual(updated);
        expect(result.etag).not.toBe(before.etag);
        expect((await store.get(tenantId, r.id))?.etag).toBe(result.etag);
        expect((await store.get(tenantId, r.id))?.doc).toEqual(updated);
      });

      it('writes the event of a report that ends with it, and none for a report that does not end', async () => {
        const tenantId = randomUUID();
        const r = await seed(report(tenantId));
        const before = await current(tenantId, r.id);
        const processing = await store.replace({ ...before.doc, status: 'Processing' }, before.etag);
        if (processing === 'conflict') throw new Error('unexpected conflict');
        const event = reportEventOutbox({ ...processing.doc, status: 'Completed' });
        expect(event).toBeDefined();
        expect(await stored(tenantId, event?.id ?? '')).toBeUndefined();

        const completedAt = new Date().toISOString();
        const done = await store.replace(
          { ...processing.doc, status: 'Completed', completedAt, rowCount: 3 },
          processing.etag,
        );
        if (done === 'conflict') throw new Error('unexpected conflict');
        expect((await current(tenantId, r.id)).etag).toBe(done.etag);
        expect(await stored(tenantId, event?.id ?? '')).toMatchObject({
          kind: 'outbox',
          messageType: 'ReportEvent',
          reportId: r.id,
          dispatchedAt: null,
          payload: {
            tenantId,
            event: {
              type: 'report.completed',
              id: reportEventId(r.id),
              timestamp: completedAt,
              data: { reportId: r.id, status: 'Completed', rowCount: 3 },
            },
          },
        });
      });

      it('writes no event when the ending replace is a conflict', async () => {
        const { tenantId, r, stale } = await staleAfterAnotherWrite();

        expect(await store.replace({ ...stale.doc, status: 'Cancelled' }, stale.etag)).toBe('conflict');
        expect(await stored(tenantId, `outbox-${reportEventId(r.id)}`)).toBeUndefined();
      });

      it("is 'conflict' with a stale etag and leaves the document unchanged", async () => {
        const { tenantId, r, stale, first } = await staleAfterAnotherWrite();

        expect(await store.replace({ ...stale.doc, status: 'Cancelled' }, stale.etag)).toBe('conflict');
        const after = await store.get(tenantId, r.id);
        expect(after?.doc.status).toBe('Processing');
        expect(after?.etag).toBe(first.etag);
      });

      it("is 'conflict' with the etag of the same report id in another tenant", async () => {
        const id = randomUUID();
        const [a, b] = [randomUUID(), randomUUID()];
        await seed(report(a, { id }));
        const other = await seed(report(b, { id }));
        const ofA = await current(a, id);

        expect(await store.replace({ ...other, status: 'Processing' }, ofA.etag)).toBe('conflict');
        expect((await current(b, id)).doc.status).toBe('Pending');
      });

      it('fails for a report that is not there, and writes nothing', async () => {
        const r = report(randomUUID());
        const other = await seed(report(randomUUID()));
        const { etag } = await current(other.tenantId, other.id);

        await expect(store.replace(r, etag)).rejects.toMatchObject({ name: 'DependencyError', status: 404 });
        expect(await stored(r.tenantId, r.id)).toBeUndefined();
      });
    });

    describe('updateClaimed', () => {
      it('patches only the given fields while the owner holds the claim, keeping a cancel request', async () => {
        const tenant = `t-${randomUUID()}`;
        const r = await seed(
          report(tenant, {
            status: 'Processing',
            leaseOwner: 'w1',
            leaseExpiresAt: '2030-01-01T00:00:00.000Z',
          }),
        );
        // A cancel request lands between two heartbeats.
        const before = await store.get(tenant, r.id);
        await store.replace({ ...r, cancelRequested: true }, before?.etag ?? '');
        const progress = { processedRows: 5, totalRows: 10, percent: 50, etaSeconds: 3 };
        const updated = await store.updateClaimed(tenant, r.id, 'w1', {
          progress,
          leaseExpiresAt: '2030-01-01T00:01:00.000Z',
        });
        expect(updated).toMatchObject({
          progress,
          cancelRequested: true,
          leaseExpiresAt: '2030-01-01T00:01:00.000Z',
        });
        expect(await stored(tenant, r.id)).toMatchObject({ progress, cancelRequested: true });
        expect((await current(tenant, r.id)).doc).toEqual(updated);
      });

      it('changes the etag, so a replace with the one read before is a conflict', async () => {
        const tenant = `t-${randomUUID()}`;
        const r = await seed(report(tenant, { status: 'Processing', leaseOwner: 'w1' }));
        const before = await current(tenant, r.id);
        expect(await store.updateClaimed(tenant, r.id, 'w1', { rowCount: 7 })).toMatchObject({ rowCount: 7 });

        expect((await current(tenant, r.id)).etag).not.toBe(before.etag);
        expect(await store.replace({ ...before.doc, cancelRequested: true }, before.etag)).toBe('conflict');
        expect((await current(tenant, r.id)).doc).toMatchObject({ rowCount: 7, cancelRequested: false });
      });

      it("is 'lost' for another owner or a report no longer Processing, and changes nothing", async () => {
        const tenant = `t-${randomUUID()}`;
        const r = await seed(report(tenant, { status: 'Processing', leaseOwner: 'w1' }));
        expect(await store.updateClaimed(tenant, r.id, 'w2', { rowCount: 1 })).toBe('lost');
        const done = await seed(report(tenant, { status: 'Completed', leaseOwner: 'w1' }));
        expect(await store.updateClaimed(tenant, done.id, 'w1', { rowCount: 1 })).toBe('lost');
        expect((await stored(tenant, r.id))?.rowCount).toBeNull();
      });

      it("is 'lost' once the report was released and claimed by another worker", async () => {
        const tenant = `t-${randomUUID()}`;
        const r = await seed(report(tenant, { status: 'Processing', leaseOwner: 'w1' }));
        const claimed = await current(tenant, r.id);
        const released = await store.replace(
          { ...claimed.doc, status: 'Pending', leaseOwner: null, leaseExpiresAt: null },
          claimed.etag,
        );
        if (released === 'conflict') throw new Error('unexpected conflict');
        expect(await store.updateClaimed(tenant, r.id, 'w1', { rowCount: 1 })).toBe('lost');

        const again = await store.replace(
          { ...released.doc, status: 'Processing', leaseOwner: 'w2' },
          released.etag,
        );
        if (again === 'conflict') throw new Error('unexpected conflict');
        expect(await store.updateClaimed(tenant, r.id, 'w1', { rowCount: 1 })).toBe('lost');
        expect(await store.updateClaimed(tenant, r.id, 'w2', { rowCount: 2 })).toMatchObject({ rowCount: 2 });
      });

      it("is 'lost' for a report that is not there, or is another tenant's", async () => {
        const tenant = `t-${randomUUID()}`;
        const r = await seed(report(tenant, { status: 'Processing', leaseOwner: 'w1' }));

        expect(await store.updateClaimed(tenant, randomUUID(), 'w1', { rowCount: 1 })).toBe('lost');
        expect(await store.updateClaimed(`t-${randomUUID()}`, r.id, 'w1', { rowCount: 1 })).toBe('lost');
        expect((await stored(tenant, r.id))?.rowCount).toBeNull();
      });
    });

    describe('findExpiredLeases', () => {
      it('finds Processing reports of every tenant whose lease lapsed, oldest first', async () => {
        const [a, b] = [`t-${randomUUID()}`, `t-${randomUUID()}`];
        const now = new Date('2029-06-01T00:00:00.000Z');
        const lapsed1 = await seed(
          report(a, { status: 'Processing', leaseOwner: 'x', leaseExpiresAt: '2029-05-31T23:59:00.000Z' }),
        );
        const lapsed2 = await seed(
          report(b, { status: 'Processing', leaseOwner: 'y', leaseExpiresAt: '2029-05-31T23:58:00.000Z' }),
        );
        const live = await seed(
          report(a, { status: 'Processing', leaseOwner: 'z', leaseExpiresAt: '2029-06-01T00:01:00.000Z' }),
        );
        const pending = await seed(
          report(b, { status: 'Pending', leaseExpiresAt: '2029-05-31T00:00:00.000Z' }),
        );
        const noLease = await seed(
          report(a, { status: 'Processing', leaseOwner: null, leaseExpiresAt: null }),
        );
        const found = (await store.findExpiredLeases(now, 1000)).map((s) => s.doc.id);
        const ours = found.filter((id) =>
          [lapsed1.id, lapsed2.id, live.id, pending.id, noLease.id].includes(id),
        );
        expect(ours).toEqual([lapsed2.id, lapsed1.id]);
        const expired = (await store.findExpiredLeases(now, 1000)).find((s) => s.doc.id === lapsed1.id);
        expect(typeof expired?.etag).toBe('string');
        expect(expired?.doc).toEqual(lapsed1);
      });

      it('returns at most `limit`, the oldest, with etags a replace can use', async () => {
        // Leases from before any other test's, so the oldest ones are these.
        const now = new Date('2000-01-02T00:00:00.000Z');
        const lapsed: ReportDocument[] = [];
        for (const [i, minute] of [3, 1, 2].entries()) {
          lapsed.push(
            await seed(
              report(`t-${randomUUID()}`, {
                status: 'Processing',
                leaseOwner: `w${i}`,
                leaseExpiresAt: `2000-01-01T00:0${minute}:00.000Z`,
              }),
            ),
          );
        }

        const found = await store.findExpiredLeases(now, 2);
        expect(found.map((s) => s.doc.id)).toEqual([lapsed[1]?.id, lapsed[2]?.id]);
        const [oldest] = found;
        if (!oldest) throw new Error('expected an expired lease');
        const released = await store.replace(
          { ...oldest.doc, status: 'Pending', leaseOwner: null },
          oldest.etag,
        );
        expect(released).not.toBe('conflict');
      });
    });

    describe('addOutbox', () => {
      it("writes an outbox document once; again is 'exists'", async () => {
        const tenant = `t-${randomUUID()}`;
        const r = await seed(report(tenant));
        const doc = { ...outboxFor(r), id: `outbox-${r.id}-requeue-1` };
        expect(await store.addOutbox(doc)).toBe('created');
        expect(await store.addOutbox(doc)).toBe('exists');
        expect(await stored(tenant, doc.id)).toMatchObject({
          kind: 'outbox',
          reportId: r.id,
          dispatchedAt: null,
        });
      });

      it("leaves the stored document as it is when it is 'exists'", async () => {
        const tenant = `t-${randomUUID()}`;
        const r = await seed(report(tenant));
        const doc = outboxFor(r);
        expect(await store.addOutbox(doc)).toBe('created');

        expect(await store.addOutbox({ ...doc, attempts: 3, lastError: 'boom' })).toBe('exists');
        expect(await stored(tenant, doc.id)).toMatchObject({ attempts: 0, lastError: null });
        // The same id in another tenant is another document.
        expect(await store.addOutbox({ ...doc, tenantId: `t-${randomUUID()}` })).toBe('created');
      });

      it('is not a report: get and list do not see it', async () => {
        const tenant = `t-${randomUUID()}`;
        const r = report(tenant);
        const doc = outboxFor(r);
        expect(await store.addOutbox(doc)).toBe('created');

        expect(await store.get(tenant, doc.id)).toBeUndefined();
        expect(await store.list(tenant, {}, 10)).toEqual({ items: [], continuationToken: null });
      });
    });
  });
}
