// Relays outbox documents to the message broker: used by the change feed handler (new docs) and by the
// timer sweeper (docs still undispatched after a grace period). At-least-once: a doc that was sent but
// could not be marked is sent again on the next run, and broker duplicate detection on messageId drops it.
// Knows nothing of Azure SDKs.
import type { OutboxDocument } from '../domain/report';
import type { MessagePublisher, OutboundMessage, OutboxStore } from './ports';

export type { MessagePublisher, OutboundMessage, OutboxStore } from './ports';

export interface RelayResult {
  sent: number;
  skipped: number;
  failed: number;
  /** Age of the oldest relayed (sent or failed) doc at relay time; null when none was relayed. */
  oldestAgeMs: number | null;
}

export interface OutboxRelay {
  relay(docs: OutboxDocument[]): Promise<RelayResult>;
}

export interface OutboxRelayOptions {
  publisher: MessagePublisher;
  store: OutboxStore;
  /** Seconds a dispatched outbox doc is kept. */
  dispatchedTtlSeconds: number;
  now?: () => Date;
  /** Messages per publish call; 50 unless told. */
  batchSize?: number;
}

export const DEFAULT_RELAY_BATCH_SIZE = 50;
export const MAX_ERROR_LENGTH = 500;

export function toOutboundMessage(doc: OutboxDocument): OutboundMessage {
  return {
    messageId: doc.id,
    correlationId: doc.correlationId,
    subject: doc.messageType,
    applicationProperties: { tenantId: doc.tenantId, reportId: doc.reportId },
    body: doc.payload,
  };
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

/** Whether the value is an outbox doc still waiting to be sent (change feed batches also carry reports). */
function isPending(doc: unknown): doc is OutboxDocument {
  if (typeof doc !== 'object' || doc === null) return false;
  const candidate = doc as Partial<OutboxDocument>;
  return candidate.kind === 'outbox' && !candidate.dispatchedAt;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { publisher, store, dispatchedTtlSeconds } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? DEFAULT_RELAY_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a positive integer');

  /** Marks the sent docs; returns how many could not be marked (they stay sent). */
  async function markAll(docs: OutboxDocument[]): Promise<number> {
    const dispatchedAt = now().toISOString();
    const outcomes = await Promise.allSettled(
      docs.map((doc) => store.markDispatched(doc, dispatchedAt, dispatchedTtlSeconds)),
    );
    return outcomes.filter((outcome) => outcome.status === 'rejected').length;
  }

  /** Records a publish failure; a failure to record is swallowed (the doc stays undispatched and is retried). */
  async function recordFailure(doc: OutboxDocument, error: unknown): Promise<void> {
    await store.recordFailure(doc, errorMessage(error)).catch(() => undefined);
  }

  /** Publishes one doc alone; false (and the failure recorded) when that fails. */
  async function publishOne(doc: OutboxDocument): Promise<boolean> {
    try {
      await publisher.publish([toOutboundMessage(doc)]);
      return true;
    } catch (error) {
      await recordFailure(doc, error);
      return false;
    }
  }

  return {
    async relay(docs: OutboxDocument[]): Promise<RelayResult> {
      const pending = docs.filter(isPending);
      const result: RelayResult = {
        sent: 0,
        skipped: docs.length - pending.length,
        failed: 0,
        oldestAgeMs: null,
      };
      if (pending.length === 0) return result;

      const startedAt = now().getTime();
      const oldest = pending.reduce((min, doc) => {
        const ms = Date.parse(doc.createdAt);
        return Number.isFinite(ms) && ms < min ? ms : min;
      }, Infinity);
      if (Number.isFinite(oldest)) result.oldestAgeMs = Math.max(0, startedAt - oldest);

      for (let start = 0; start < pending.length; start += batchSize) {
        const batch = pending.slice(start, start + batchSize);
        let published: OutboxDocument[];
        try {
          await publisher.publish(batch.map(toOutboundMessage));
          published = batch;
        } catch (error) {
          published = [];
          if (batch.length === 1 && batch[0]) {
            await recordFailure(batch[0], error);
            result.failed += 1;
          } else {
            // One bad doc must not hold back the others: retry this batch one doc at a time.
            for (const doc of batch) {
              if (await publishOne(doc)) published.push(doc);
              else result.failed += 1;
            }
          }
        }
        const unmarked = await markAll(published);
        result.sent += published.length - unmarked;
        result.failed += unmarked;
      }
      return result;
    },
  };
}
