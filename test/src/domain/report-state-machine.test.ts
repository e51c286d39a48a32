// The report state machine (src/domain/report.ts), tested in this file only:
// - the rule: `canTransition` allows exactly the lifecycle's moves, nothing out of a terminal state;
//   `transition` builds the next document or refuses the move; `claimedUpdate` checks a status written
//   under a worker's claim;
// - where reports are written: the in-memory store of the unit tests refuses an illegal status change
//   (so a service path that made one fails its tests), and cancelling through the report service never
//   moves a finished report.
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../../src/domain/errors';
import type { Principal } from '../../../src/domain/principal';
import {
  canTransition,
  claimedUpdate,
  exportRequested,
  REPORT_STATUSES,
  TERMINAL_STATUSES,
  transition,
  type ReportDocument,
  type ReportStatus,
} from '../../../src/domain/report';
import { createReportService } from '../../../src/services/reports';
import { MemoryReportStore } from '../../fakes/memory-report-store';
import { reportDocument } from '../../support/report-document';

const LEGAL: readonly (readonly [ReportStatus, ReportStatus])[] = [
  ['Pending', 'Processing'],
  ['Pending', 'Cancelled'],
  ['Pending', 'Failed'],
  ['Processing', 'Completed'],
  ['Processing', 'Failed'],
  ['Processing', 'Cancelled'],
  ['Processing', 'Pending'],
];
const isLegal = (from: ReportStatus, to: ReportStatus): boolean =>
  LEGAL.some(([f, t]) => f === from && t === to);
const ILLEGAL = REPORT_STATUSES.flatMap((from) =>
  REPORT_STATUSES.filter((to) => !isLegal(from, to)).map((to) => [from, to] as const),
);

describe('transition', () => {
  it.each(LEGAL)(
    'moves a %s report to %s with the given fields, leaving the original as it is',
    (from, to) => {
      const doc = reportDocument({ tenantId: 't1', status: from });
      const before = structuredClone(doc);
      const next = transition(doc, to, { completedAt: '2025-03-01T12:00:00.000Z', ttl: 60 });
      expect(next).toEqual({ ...before, status: to, completedAt: '2025-03-01T12:00:00.000Z', ttl: 60 });
      expect(doc).toEqual(before);
    },
  );

  it.each(ILLEGAL)('refuses to move a %s report to %s', (from, to) => {
    const doc = reportDocument({ tenantId: 't1', status: from });
    let thrown: unknown;
    try {
      transition(doc, to, { rowCount: 1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTransitionError);
    expect(thrown).toMatchObject({ from, to, message: `a report cannot go from ${from} to ${to}` });
    expect(doc.status).toBe(from);
  });

  it('refuses every move out of a terminal state, to itself included', () => {
    expect(TERMINAL_STATUSES).toEqual(['Completed', 'Failed', 'Cancelled']);
    for (const from of TERMINAL_STATUSES) {
      for (const to of REPORT_STATUSES) {
        expect(() => transition(reportDocument({ tenantId: 't1', status: from }), to)).toThrow(
          InvalidTransitionError,
        );
      }
    }
  });

  it('agrees with canTransition on every pair, and the pairs are exactly the lifecycle', () => {
    expect(LEGAL.length + ILLEGAL.length).toBe(REPORT_STATUSES.length ** 2);
    for (const from of REPORT_STATUSES) {
      for (const to of REPORT_STATUSES) expect(canTransition(from, to)).toBe(isLegal(from, to));
    }
  });

  it('sets the status it was asked for even when the fields carry another one', () => {
    const doc = reportDocument({ tenantId: 't1', status: 'Processing' });
    const sneaky: Partial<typeof doc> = { status: 'Pending', rowCount: 3 };
    expect(transition(doc, 'Completed', sneaky)).toMatchObject({ status: 'Completed', rowCount: 3 });
  });
});

describe('claimedUpdate', () => {
  it('passes fields without a status, or with Processing, as they are', () => {
    const fields = { leaseExpiresAt: '2025-03-01T12:00:30.000Z' };
    expect(claimedUpdate(fields)).toBe(fields);
    expect(claimedUpdate({ status: 'Processing' as const, rowCount: 1 })).toEqual({
      status: 'Processing',
      rowCount: 1,
    });
  });

  it.each(['Completed', 'Failed', 'Cancelled', 'Pending'] as const)(
    'lets a claimed (Processing) report move to %s',
    (to) => {
      expect(claimedUpdate({ status: to })).toEqual({ status: to });
    },
  );
});

const TENANT = 'tenant-1';
const ALICE: Principal = { tenantId: TENANT, userId: 'user-1', roles: [], isAdmin: false };

let store: MemoryReportStore;

async function stored(overrides: Partial<ReportDocument> = {}): Promise<ReportDocument> {
  const report = reportDocument({ tenantId: TENANT, ...overrides });
  await store.createWithOutbox(report, exportRequested(report, `outbox-${report.id}`, report.createdAt));
  return report;
}

async function current(id: string) {
  const found = await store.get(TENANT, id);
  if (!found) throw new Error(`no report ${id}`);
  return found;
}

beforeEach(() => {
  store = new MemoryReportStore();
});

describe('the in-memory store enforces the report state machine', () => {
  it('refuses a replace that moves a report out of a terminal state, and writes nothing', async () => {
    const report = await stored({ status: 'Completed', completedAt: '2025-03-01T12:00:00.000Z' });
    const before = await current(report.id);
    const writes = store.writes;
    await expect(
      store.replace({ ...before.doc, status: 'Pending', completedAt: null }, before.etag),
    ).rejects.toBeInstanceOf(InvalidTransitionError);
    expect(store.writes).toBe(writes);
    expect(await current(report.id)).toEqual(before);
  });

  it('refuses a transition the lifecycle does not have (Pending straight to Completed)', async () => {
    const report = await stored();
    const { doc, etag } = await current(report.id);
    await expect(store.replace({ ...doc, status: 'Completed' }, etag)).rejects.toMatchObject({
      name: 'InvalidTransitionError',
      from: 'Pending',
      to: 'Completed',
    });
    expect((await current(report.id)).doc.status).toBe('Pending');
  });

  it.each(TERMINAL_STATUSES)('refuses to rewrite a %s report even with its own status', async (status) => {
    const report = await stored({ status });
    const { doc, etag } = await current(report.id);
    await expect(store.replace({ ...doc, rowCount: 99 }, etag)).rejects.toBeInstanceOf(
      InvalidTransitionError,
    );
    expect((await current(report.id)).doc.rowCount).toBeNull();
  });

  it('accepts a legal transition and a write that keeps a non-terminal status', async () => {
    const report = await stored();
    const first = await current(report.id);
    const claimed = await store.replace({ ...first.doc, status: 'Processing', leaseOwner: 'w1' }, first.etag);
    if (claimed === 'conflict') throw new Error('unexpected conflict');
    const requested = await store.replace({ ...claimed.doc, cancelRequested: true }, claimed.etag);
    expect(requested).not.toBe('conflict');
    expect((await current(report.id)).doc).toMatchObject({ status: 'Processing', cancelRequested: true });
  });

  it('answers a stale etag with a conflict before looking at the status', async () => {
    const report = await stored({ status: 'Completed' });
    expect(await store.replace({ ...report, status: 'Pending' }, '"stale"')).toBe('conflict');
  });

  it('lets a claimed update end the claimed report, and then the claim is gone', async () => {
    const report = await stored({ status: 'Processing', leaseOwner: 'w1' });
    expect(await store.updateClaimed(TENANT, report.id, 'w1', { status: 'Failed' })).toMatchObject({
      status: 'Failed',
    });
    expect(await store.updateClaimed(TENANT, report.id, 'w1', { status: 'Pending' })).toBe('lost');
    expect((await current(report.id)).doc.status).toBe('Failed');
  });
});

describe('cancelling through the report service', () => {
  const service = () =>
    createReportService({
      store,
      downloads: { create: () => Promise.reject(new Error('no downloads here')) },
      retentionSeconds: 60,
      now: () => new Date('2025-03-01T12:00:00.000Z'),
    });

  it.each(TERMINAL_STATUSES)('answers terminal for a %s report and leaves it untouched', async (status) => {
    const report = await stored({ status, completedAt: '2025-02-28T00:00:00.000Z' });
    const before = await current(report.id);
    const writes = store.writes;
    expect(await service().cancel(ALICE, report.id)).toEqual({ kind: 'terminal', status });
    expect(store.writes).toBe(writes);
    expect(await current(report.id)).toEqual(before);
  });

  it('moves a Pending report to Cancelled with its end time and retention', async () => {
    const report = await stored();
    const result = await service().cancel(ALICE, report.id);
    expect(result.kind).toBe('cancelled');
    expect((await current(report.id)).doc).toMatchObject({
      status: 'Cancelled',
      cancelRequested: true,
      completedAt: '2025-03-01T12:00:00.000Z',
      ttl: 60,
    });
  });

  it('only flags a Processing report, whose status stays with the worker', async () => {
    const report = await stored({ status: 'Processing', leaseOwner: 'w1' });
    expect((await service().cancel(ALICE, report.id)).kind).toBe('cancel-requested');
    expect((await current(report.id)).doc).toMatchObject({ status: 'Processing', cancelRequested: true });
  });
});
