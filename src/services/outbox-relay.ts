// Relays outbox documents to the message broker: used by the change feed handler (first attempt of new
// docs) and by the timer sweeper (docs still undispatched after a grace period, whose retry is due). At-
// least-once: a doc that was sent but could not be marked is sent again on the next run, and broker
// duplicate detection on messageId drops it. Knows nothing of Azure SDKs.
import { retryDelayAfterFailure } from '../domain/backoff';
import { BrokerUnavailableError } from '../domain/errors';
import type { OutboxDocument } from '../domain/report';
import type { MessagePublisher, OutboundMessage, OutboxBacklog, OutboxStore } from './ports';

export type { MessagePublisher, OutboundMessage, OutboxStore } from './ports';

export interface RelayResult {
  sent: number;
  skipped: number;
  /** Not sent, or sent but not marked dispatched (those are sent again and deduplicated). */
  failed: number;
  /** Age of the oldest relayed (sent or failed) doc at relay time; null when none was relayed. */
  oldestAgeMs: number | null;
  /**
   * Docs whose outcome could not be written to the store (the dispatch mark or the failure record was
   * rejected): counted in `failed` too. Their state in the store is stale, so a caller may re-run them.
   */
  storeErrors: number;
  /** The first of those store errors; null when there was none. */
  storeError: string | null;
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
  /** Delay before a doc's first retry; doubles with each further failure. 30 s unless told. */
  retryBaseMs?: number;
  /** Longest delay between two retries of a doc. 5 min unless told. */
  retryMaxMs?: number;
}

const DEFAULT_RELAY_BATCH_SIZE = 50;
const DEFAULT_RETRY_BASE_MS = 30_000;
const DEFAULT_RETRY_MAX_MS = 300_000;
const MAX_ERROR_LENGTH = 500;

function toOutboundMessage(doc: OutboxDocument): OutboundMessage {
  return {
    messageId: doc.id,
    correlationId: doc.correlationId,
    subject: doc.messageType,
    applicationProperties: {
      tenantId: doc.tenantId,
      reportId: doc.reportId,
      // The request's trace, continued by whoever sends the message (see src/telemetry/tracing.ts).
      ...(doc.traceparent ? { traceparent: doc.traceparent } : {}),
    },
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

/**
 * Whether the change feed should relay this doc: an undispatched outbox doc never attempted. A failure
 * record is itself a change of the doc; relaying it again from the change feed would retry every failed
 * doc at once, forever, while the broker is down. Retries belong to the sweeper, with backoff.
 */
export function isFirstAttempt(doc: unknown): doc is OutboxDocument {
  if (!isPending(doc)) return false;
  const attempts: unknown = doc.attempts;
  return attempts === undefined || attempts === null || attempts === 0;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { publisher, store, dispatchedTtlSeconds } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? DEFAULT_RELAY_BATCH_SIZE;
  const retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const retryMaxMs = options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a positive integer');
  if (!(retryBaseMs >= 0) || !(retryMaxMs >= 0))
    throw new RangeError('retryBaseMs and retryMaxMs must not be negative');

  return {
    async relay(docs: OutboxDocument[]): Promise<RelayResult> {
      const pending = docs.filter(isPending);
      const result: RelayResult = {
        sent: 0,
        skipped: docs.length - pending.length,
        failed: 0,
        oldestAgeMs: null,
        storeErrors: 0,
        storeError: null,
      };
      if (pending.length === 0) return result;

      const storeFailed = (error: unknown): void => {
        result.storeErrors += 1;
        result.storeError ??= errorMessage(error);
      };

      /** Marks the sent docs; the ones that could not be marked count as failed (they stay sent). */
      async function markAll(sent: OutboxDocument[]): Promise<void> {
        const dispatchedAt = now().toISOString();
        const outcomes = await Promise.allSettled(
          sent.map((doc) => store.markDispatched(doc, dispatchedAt, dispatchedTtlSeconds)),
        );
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            storeFailed(outcome.reason);
            result.failed += 1;
          } else result.sent += 1;
        }
      }

      /** Records a publish failure and when to try again; the doc stays undispatched. */
      async function recordFailures(failed: OutboxDocument[], error: unknown): Promise<void> {
        result.failed += failed.length;
        const at = now().getTime();
        const message = errorMessage(error);
        const outcomes = await Promise.allSettled(
          failed.map((doc) => {
            const nextAttemptAt = new Date(
              at + retryDelayAfterFailure(doc.attempts, retryBaseMs, retryMaxMs),
            );
            return store.recordFailure(doc, message, nextAttemptAt.toISOString());
          }),
        );
        for (const outcome of outcomes) if (outcome.status === 'rejected') storeFailed(outcome.reason);
      }

      const startedAt = now().getTime();
      const oldest = pending.reduce((min, doc) => {
        const ms = Date.parse(doc.createdAt);
        return Number.isFinite(ms) && ms < min ? ms : min;
      }, Infinity);
      if (Number.isFinite(oldest)) result.oldestAgeMs = Math.max(0, startedAt - oldest);

      // Once the broker is known to be unreachable, nothing more is tried in this run: every doc left
      // gets the same failure recorded (and its backoff), instead of one doomed call per batch or doc.
      let unavailable: BrokerUnavailableError | undefined;
      for (let start = 0; start < pending.length; start += batchSize) {
        const batch = pending.slice(start, start + batchSize);
        if (unavailable) {
          await recordFailures(batch, unavailable);
          continue;
        }
        let batchError: { error: unknown } | undefined;
        try {
          await publisher.publish(batch.map(toOutboundMessage));
        } catch (error) {
          batchError = { error };
        }
        if (!batchError) {
          await markAll(batch);
          continue;
        }
        if (batchError.error instanceof BrokerUnavailableError || batch.length === 1) {
          if (batchError.error instanceof BrokerUnavailableError) unavailable = batchError.error;
          await recordFailures(batch, batchError.error);
          continue;
        }
        // Any other error may be the problem of one message (too large, refused): this batch is retried
        // one doc at a time, so that one bad doc does not hold back the others.
        const sent: OutboxDocument[] = [];
        const untried: OutboxDocument[] = [];
        for (const doc of batch) {
          if (unavailable) {
            untried.push(doc);
            continue;
          }
          try {
            await publisher.publish([toOutboundMessage(doc)]);
            sent.push(doc);
          } catch (error) {
            if (error instanceof BrokerUnavailableError) unavailable = error;
            await recordFailures([doc], error);
          }
        }
        if (unavailable && untried.length > 0) await recordFailures(untried, unavailable);
        await markAll(sent);
      }
      return result;
    },
  };
}

export interface OutboxSweepOptions {
  relay: OutboxRelay;
  store: OutboxStore & OutboxBacklog;
  /** Outbox documents younger than this are left to the change feed. */
  graceSeconds: number;
  /** Documents one sweep relays at most. */
  limit: number;
  now?: () => Date;
}

/** The relay, and the sweeper's two use cases on top of it. */
export interface OutboxSweep {
  relay(docs: OutboxDocument[]): Promise<RelayResult>;
  /**
   * Relays outbox documents still undispatched after the grace period whose retry is due (a failed one
   * waits out its backoff), across tenants.
   */
  sweep(): Promise<RelayResult>;
  /** Milliseconds since the oldest outbox document still undispatched was written; 0 when none is. */
  oldestUndispatchedAgeMs(): Promise<number>;
}

export function createOutboxSweep(options: OutboxSweepOptions): OutboxSweep {
  const { relay, store, graceSeconds, limit } = options;
  const now = options.now ?? (() => new Date());
  return {
    relay: (docs) => relay.relay(docs),
    async sweep() {
      const at = now();
      const cutoff = new Date(at.getTime() - graceSeconds * 1000);
      return relay.relay(await store.findUndispatched(cutoff, at, limit));
    },
    async oldestUndispatchedAgeMs() {
      const oldest = await store.oldestUndispatchedAt();
      return oldest === null ? 0 : Math.max(0, now().getTime() - Date.parse(oldest));
    },
  };
}

/**
 * A publisher that sends each message to the publisher of its subject (`routes`), the others to
 * `fallback`: the relay's export requests go to the report-requests queue, `ReportEvent`s to the events
 * queue. A call still fails as a whole when any of its sends fails (the relay retries the docs, and
 * duplicate detection drops what was sent twice).
 */
export function routeBySubject(
  routes: Record<string, MessagePublisher>,
  fallback: MessagePublisher,
): MessagePublisher {
  return {
    async publish(messages: OutboundMessage[]): Promise<void> {
      const groups = new Map<MessagePublisher, OutboundMessage[]>();
      for (const message of messages) {
        const target = routes[message.subject] ?? fallback;
        groups.set(target, [...(groups.get(target) ?? []), message]);
      }
      for (const [target, group] of groups) await target.publish(group);
    },
  };
}
