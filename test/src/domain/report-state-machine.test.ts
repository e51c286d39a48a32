// The report state machine as a function: `transition` builds the next document or refuses the move,
// `claimedUpdate` checks a status written under a claim.
import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../../src/domain/errors';
import {
  canTransition,
  claimedUpdate,
  REPORT_STATUSES,
  TERMINAL_STATUSES,
  transition,
  type ReportStatus,
} from '../../../src/domain/report';
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
