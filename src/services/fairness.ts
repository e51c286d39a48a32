// Fair, work-conserving sharing of the workers between tenants (ADR 0009). All tenants share one queue
// and one pool of workers; what keeps one tenant from filling the queue is that its waiting work stays
// in Cosmos DB, not on the queue:
// - Places: a tenant may have `places` exports Processing at once. A request over that is not claimed:
//   it goes back to the queue as a scheduled message and the current delivery is settled, so the worker
//   moves on to the next message, which may be another tenant's. A tenant's exports start in the order
//   asked: the reports ahead of a request are the tenant's Processing ones plus its Pending ones asked
//   earlier, and the request is admitted only while those are under the cap; one with a free place but
//   an earlier request still waiting sends that one's request now and goes back on the queue behind it.
// - A freed place is taken at once: when an export ends, its worker sends the requests of the tenant's
//   oldest Pending reports, one per free place. The scheduled deferral is only the fallback, should that
//   step be lost to a crash.
// - The chunk window: a chunked export has at most `window` of its chunk messages out (claimed, or waiting
//   on the queue); each finished chunk sends the next ones. The window is the tenant's, shared by its
//   exports under way: each gets ceil(window / exports Processing), at least one. A tenant alone with one
//   export fills `window` workers; a tenant with many never has more than about `window + places`
//   messages out, so another tenant's request waits behind a bounded run of them.
// The cap and the window are counted from Cosmos, not locked: workers racing may pass them together, by
// at most the number of workers racing.
import { randomUUID } from 'node:crypto';
import { deferralDelayMs } from '../domain/backoff';
import { messageIds } from '../domain/message-ids';
import { exportRequestPayload, type ReportDocument } from '../domain/report';
import { retryMessage } from './export/messages';
import type { MessagePublisher, ReportStore } from './ports';

export type Admission = 'admit' | 'deferred';

export interface FairnessOptions {
  store: Pick<ReportStore, 'countAhead' | 'countProcessing' | 'oldestPending'>;
  /** Sends deferred and resumed requests (to the same queue). */
  publisher: MessagePublisher;
  /** Exports one tenant may have Processing at once; 0 turns the cap off. */
  maxActivePerTenant: number;
  /** Chunk messages one tenant may have out at once, shared by its chunked exports; 0: no window. */
  chunkWindow: number;
  /** The wait of a request next in line; one further wait per `maxActivePerTenant` requests ahead of it. */
  deferMs: number;
  /** The longest a request is deferred at once. 30 s unless told. */
  maxDeferMs?: number;
  /** Told of each deferral (metrics). */
  onDeferred?: (report: ReportDocument, delayMs: number) => void;
  /** Told of the requests sent at once into a freed place (metrics). */
  onResumed?: (count: number) => void;
  now?: () => Date;
  newId?: () => string;
}

const DEFAULT_MAX_DEFER_MS = 30_000;

export function createFairness(options: FairnessOptions) {
  const { store, publisher, maxActivePerTenant: cap, chunkWindow: window, deferMs } = options;
  const maxDeferMs = options.maxDeferMs ?? DEFAULT_MAX_DEFER_MS;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  if (!Number.isInteger(cap) || cap < 0)
    throw new RangeError('maxActivePerTenant must be a whole number >= 0');
  if (!Number.isInteger(window) || window < 0)
    throw new RangeError('chunkWindow must be a whole number >= 0');
  if (!(deferMs > 0) || !(maxDeferMs >= deferMs)) throw new RangeError('need 0 < deferMs <= maxDeferMs');

  /**
   * A place is free for `report`, but an earlier request of its tenant may still wait (its message is
   * behind this one, or scheduled for later): that one goes first. Its request is sent now and this one
   * goes back on the queue behind it, so the tenant's exports start in the order asked.
   */
  async function earlierFirst(report: ReportDocument): Promise<Admission> {
    const [oldest] = await store.oldestPending(report.tenantId, 1);
    const earlier =
      oldest !== undefined &&
      (oldest.createdAt < report.createdAt ||
        (oldest.createdAt === report.createdAt && oldest.id < report.id));
    if (!earlier) return 'admit';
    await publisher.publish([
      // An id of its own each time: should the earlier one meet no free place now, a later pass sends it
      // again (a fixed id would be dropped as a duplicate, and this request would come back for nothing).
      retryMessage(
        messageIds.resume(oldest.id, `${report.id}-${newId()}`),
        oldest.correlationId,
        exportRequestPayload(oldest),
      ),
      retryMessage(
        messageIds.deferral(report.id, newId()),
        report.correlationId,
        exportRequestPayload(report),
      ),
    ]);
    options.onDeferred?.(report, 0);
    return 'deferred';
  }

  return {
    /**
     * Whether a worker may claim `report` now. 'deferred': a later delivery of its request is scheduled
     * (the caller settles the current one). Throws when that could not be sent, so that the broker
     * delivers the current message again.
     */
    async admit(report: ReportDocument): Promise<Admission> {
      // A Processing report here is one whose lease lapsed: it was admitted before and is taken over.
      if (cap === 0 || report.status !== 'Pending') return 'admit';
      const ahead = await store.countAhead(report.tenantId, report);
      if (ahead < cap) return ahead === 0 ? 'admit' : await earlierFirst(report);
      const delayMs = deferralDelayMs(ahead, cap, deferMs, maxDeferMs);
      await publisher.publish([
        retryMessage(
          // Its own id each time: duplicate detection must not drop a later deferral of the same report.
          messageIds.deferral(report.id, newId()),
          report.correlationId,
          exportRequestPayload(report),
          new Date(now().getTime() + delayMs),
        ),
      ]);
      options.onDeferred?.(report, delayMs);
      return 'deferred';
    },

    /**
     * Which of the tenant's Pending reports wait their turn: all but its oldest ones that fit its free
     * places (the admission rule, counted once for the tenant instead of once per report).
     */
    async waitingOf(tenantId: string): Promise<(report: ReportDocument) => boolean> {
      if (cap === 0) return () => false;
      const free = Math.max(0, cap - (await store.countProcessing(tenantId)));
      const next = free === 0 ? [] : await store.oldestPending(tenantId, free);
      const canStart = new Set(next.map((report) => report.id));
      return (report) => !canStart.has(report.id);
    },

    /** How many chunk messages one chunked export of the tenant may have out now (Infinity: no window). */
    async chunkWindowOf(tenantId: string): Promise<number> {
      if (window === 0) return Number.POSITIVE_INFINITY;
      const running = await store.countProcessing(tenantId);
      return Math.max(1, Math.ceil(window / Math.max(1, running)));
    },

    /**
     * An export of the tenant ended (`endedReportId`): its place goes at once to the tenant's oldest
     * waiting requests, one per free place, sent again now. Returns how many were sent. A request sent
     * twice is harmless (the second finds its report claimed); the ids, one per ended export and waiting
     * report, let duplicate detection drop a repeat of this step.
     */
    async placeFreed(tenantId: string, endedReportId: string): Promise<number> {
      if (cap === 0) return 0;
      const [running, waiting] = await Promise.all([
        store.countProcessing(tenantId),
        store.oldestPending(tenantId, cap),
      ]);
      const next = waiting.slice(0, Math.max(0, cap - running));
      if (next.length === 0) return 0;
      await publisher.publish(
        next.map((report) =>
          retryMessage(
            messageIds.resume(report.id, endedReportId),
            report.correlationId,
            exportRequestPayload(report),
          ),
        ),
      );
      options.onResumed?.(next.length);
      return next.length;
    },
  };
}

export type Fairness = ReturnType<typeof createFairness>;
