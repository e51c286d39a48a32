// Fair sharing of the workers between tenants. All tenants share one queue and one pool of workers; a
// tenant may have at most `maxActivePerTenant` exports Processing at once. A request over that cap is not
// claimed: it goes back to the queue as a scheduled message (Service Bus delivers it again later) and the
// current delivery is settled, so the worker moves on to the next message, which may be another tenant's.
// A tenant's exports still start in the order they were asked: the reports ahead of a request are the
// tenant's Processing ones plus its Pending ones asked earlier, and the request is admitted only while
// those are under the cap. The cap is counted from Cosmos before the claim, not locked: requests of one
// tenant claimed at the same instant may pass it together, by at most the number of workers racing.
import { randomUUID } from 'node:crypto';
import { deferralDelayMs } from '../domain/backoff';
import { messageIds } from '../domain/message-ids';
import { exportRequestPayload, type ReportDocument } from '../domain/report';
import { retryMessage } from './export/messages';
import type { MessagePublisher, ReportStore } from './ports';

export type Admission = 'admit' | 'deferred';

export interface FairnessOptions {
  store: Pick<ReportStore, 'countAhead'>;
  /** Sends the deferred request (to the same queue). */
  publisher: MessagePublisher;
  /** Exports one tenant may have Processing at once; 0 turns the cap off. */
  maxActivePerTenant: number;
  /** The wait of a request next in line; one further wait per `maxActivePerTenant` requests ahead of it. */
  deferMs: number;
  /** The longest a request is deferred at once. 30 s unless told. */
  maxDeferMs?: number;
  /** Told of each deferral (metrics). */
  onDeferred?: (report: ReportDocument, delayMs: number) => void;
  now?: () => Date;
  newId?: () => string;
}

const DEFAULT_MAX_DEFER_MS = 30_000;

export function createFairness(options: FairnessOptions) {
  const { store, publisher, maxActivePerTenant: cap, deferMs } = options;
  const maxDeferMs = options.maxDeferMs ?? DEFAULT_MAX_DEFER_MS;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  if (!Number.isInteger(cap) || cap < 0)
    throw new RangeError('maxActivePerTenant must be a whole number >= 0');
  if (!(deferMs > 0) || !(maxDeferMs >= deferMs)) throw new RangeError('need 0 < deferMs <= maxDeferMs');

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
      if (ahead < cap) return 'admit';
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
  };
}

export type Fairness = ReturnType<typeof createFairness>;
