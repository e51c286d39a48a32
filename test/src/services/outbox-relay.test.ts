// The outbox relay with in-memory fakes: batching, per-document failure isolation, idempotence.
import { describe, expect, it } from 'vitest';
import type { OutboxDocument, ReportDocument } from '../../../src/domain/report';
import { retryDelayAfterFailure } from '../../../src/domain/backoff';
import { BrokerUnavailableError } from '../../../src/domain/errors';
import {
  createOutboxRelay,
  isFirstAttempt,
  type MessagePublisher,
  type OutboundMessage,
  type OutboxStore,
} from '../../../src/services/outbox-relay';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const TTL = 86_400;
const BASE_MS = 30_000;
const MAX_MS = 300_000;

/** A relay whose clock stands at NOW, with the test's backoff. */
function relayAtNow(publisher: MessagePublisher, store: OutboxStore) {
  return createOutboxRelay({
    publisher,
    store,
    dispatchedTtlSeconds: TTL,
    now: () => NOW,
    retryBaseMs: BASE_MS,
    retryMaxMs: MAX_MS,
  });
}
const after = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();
const NO_STORE_ERRORS = { storeErrors: 0, storeError: null };

function outbox(n: number, overrides: Partial<OutboxDocument> = {}): OutboxDocument {
  return {
    id: `outbox-${n}`,
    kind: 'outbox',
    tenantId: `tenant-${n % 3}`,
    reportId: `report-${n}`,
    messageType: 'ExportRequested',
    payload: { tenantId: `tenant-${n % 3}`, reportId: `report-${n}`, reportType: 'ratings', format: 'csv' },
    correlationId: `corr-${n}`,
    createdAt: new Date(NOW.getTime() - 1000).toISOString(),
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
    ...overrides,
  };
}

class FakePublisher implements MessagePublisher {
  readonly calls: OutboundMessage[][] = [];
  readonly sent: OutboundMessage[] = [];
  /** `rejectIf` returns the error to throw for a call, `true` for a generic one, or false. */
  constructor(
    private readonly rejectIf: (messages: OutboundMessage[], call: number) => boolean | Error = () => false,
  ) {}

  async publish(messages: OutboundMessage[]): Promise<void> {
    this.calls.push(messages);
    const rejection = this.rejectIf(messages, this.calls.length);
    if (rejection instanceof Error) throw rejection;
    if (rejection) throw new Error(`broker refused: ${'x'.repeat(600)}`);
    this.sent.push(...messages);
  }
}

const brokerDown = (): BrokerUnavailableError =>
  new BrokerUnavailableError('Service Bus unavailable: ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:5671', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });

class FakeStore implements OutboxStore {
  readonly marked = new Map<string, { dispatchedAt: string; ttl: number }>();
  readonly failures = new Map<string, string>();
  readonly nextAttempts = new Map<string, string>();
  constructor(
    private readonly failMarkFor: ReadonlySet<string> = new Set(),
    private readonly failRecordFor: ReadonlySet<string> = new Set(),
  ) {}

  async markDispatched(doc: OutboxDocument, dispatchedAt: string, ttlSeconds: number): Promise<void> {
    if (this.failMarkFor.has(doc.id)) throw new Error('cosmos unavailable');
    this.marked.set(doc.id, { dispatchedAt, ttl: ttlSeconds });
  }

  async recordFailure(doc: OutboxDocument, error: string, nextAttemptAt: string): Promise<void> {
    if (this.failRecordFor.has(doc.id)) throw new Error('cosmos unavailable for the record');
    this.failures.set(doc.id, error);
    this.nextAttempts.set(doc.id, nextAttemptAt);
  }

  async findUndispatched(): Promise<OutboxDocument[]> {
    return [];
  }
}

const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

describe('outbox relay', () => {
  it('maps an outbox doc to a message and marks it dispatched with the ttl', async () => {
    const publisher = new FakePublisher();
    const store = new FakeStore();
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, now: () => NOW });
    const doc = outbox(1);

    const result = await relay.relay([doc]);

    expect(result).toEqual({ sent: 1, skipped: 0, failed: 0, oldestAgeMs: 1000, ...NO_STORE_ERRORS });
    expect(publisher.sent).toEqual([
      {
        messageId: doc.id,
        correlationId: doc.correlationId,
        subject: 'ExportRequested',
        applicationProperties: { tenantId: doc.tenantId, reportId: doc.reportId },
        body: doc.payload,
      },
    ]);
    expect(store.marked.get(doc.id)).toEqual({ dispatchedAt: NOW.toISOString(), ttl: TTL });
  });

  it('publishes in batches of batchSize (120 docs, 50 -> 3 calls)', async () => {
    const publisher = new FakePublisher();
    const store = new FakeStore();
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, now: () => NOW });

    const result = await relay.relay(range(120).map((n) => outbox(n)));

    expect(publisher.calls.map((call) => call.length)).toEqual([50, 50, 20]);
    expect(result).toMatchObject({ sent: 120, failed: 0, skipped: 0 });
    expect(store.marked.size).toBe(120);
  });

  it('honours a custom batchSize', async () => {
    const publisher = new FakePublisher();
    const relay = createOutboxRelay({
      publisher,
      store: new FakeStore(),
      dispatchedTtlSeconds: TTL,
      batchSize: 4,
    });
    await relay.relay(range(10).map((n) => outbox(n)));
    expect(publisher.calls.map((call) => call.length)).toEqual([4, 4, 2]);
  });

  it('isolates a poison doc: the others are sent and marked, the poison one gets recordFailure', async () => {
    const poison = outbox(7);
    const publisher = new FakePublisher((messages) => messages.some((m) => m.messageId === poison.id));
    const store = new FakeStore();
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, now: () => NOW });
    const docs = range(120).map((n) => (n === 7 ? poison : outbox(n)));

    const result = await relay.relay(docs);

    expect(result).toMatchObject({ sent: 119, failed: 1, skipped: 0 });
    expect(new Set(publisher.sent.map((m) => m.messageId)).size).toBe(119);
    expect(publisher.sent.some((m) => m.messageId === poison.id)).toBe(false);
    expect(store.marked.size).toBe(119);
    expect(store.marked.has(poison.id)).toBe(false);
    const error = store.failures.get(poison.id);
    expect(error).toMatch(/^broker refused: x+$/);
    expect(error).toHaveLength(500);
    expect(store.failures.size).toBe(1);
  });

  it('retries a batch refused for another reason one doc at a time, and never throws', async () => {
    const publisher = new FakePublisher(() => true);
    const store = new FakeStore();
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, batchSize: 2 });

    const result = await relay.relay(range(3).map((n) => outbox(n)));

    expect(result).toMatchObject({ sent: 0, failed: 3, storeErrors: 0 });
    expect(store.failures.size).toBe(3);
    expect(store.marked.size).toBe(0);
    // Two docs: the batch call and one call each; the last batch holds one doc: a single call.
    expect(publisher.calls).toHaveLength(4);
  });

  it('when the broker is unreachable, records the failure of every doc after one call, none one by one', async () => {
    const publisher = new FakePublisher(() => brokerDown());
    const store = new FakeStore();
    const relay = relayAtNow(publisher, store);
    const docs = range(120).map((n) => outbox(n));

    const result = await relay.relay(docs);

    // One call for the first batch of 50; the other 70 docs are not tried while the broker is down.
    expect(publisher.calls.map((call) => call.length)).toEqual([50]);
    expect(result).toMatchObject({ sent: 0, failed: 120, skipped: 0, storeErrors: 0 });
    expect(store.marked.size).toBe(0);
    expect(new Set(store.failures.keys())).toEqual(new Set(docs.map((d) => d.id)));
    expect(new Set(store.failures.values())).toEqual(
      new Set(['Service Bus unavailable: ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:5671']),
    );
    // First failure of each: the first retry is due one base delay later.
    expect(new Set(store.nextAttempts.values())).toEqual(new Set([after(BASE_MS)]));
  });

  it('stops sending one by one as soon as the broker turns out to be unreachable', async () => {
    // The batch is refused (a message problem), the first doc alone goes out, then the broker is gone.
    const publisher = new FakePublisher((messages, call) =>
      call === 1 ? true : call === 2 ? false : brokerDown(),
    );
    const store = new FakeStore();
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, batchSize: 5 });

    const result = await relay.relay(range(12).map((n) => outbox(n)));

    expect(publisher.calls.map((call) => call.length)).toEqual([5, 1, 1]);
    expect(result).toMatchObject({ sent: 1, failed: 11 });
    expect([...store.marked.keys()]).toEqual(['outbox-0']);
    expect(store.failures.size).toBe(11);
    expect(store.failures.has('outbox-0')).toBe(false);
  });

  it('sets nextAttemptAt with exponential backoff in the attempts so far, capped', async () => {
    const publisher = new FakePublisher(() => brokerDown());
    const store = new FakeStore();
    const relay = relayAtNow(publisher, store);
    const attempts = [0, 1, 2, 3, 4, 9];
    await relay.relay(attempts.map((n) => outbox(n, { attempts: n })));

    expect(attempts.map((n) => store.nextAttempts.get(`outbox-${n}`))).toEqual([
      after(30_000),
      after(60_000),
      after(120_000),
      after(240_000),
      after(300_000),
      after(300_000),
    ]);
  });

  it('computes retry delays: base doubling up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 40].map((n) => retryDelayAfterFailure(n, 1000, 5000))).toEqual([
      1000, 2000, 4000, 5000, 5000, 5000, 5000,
    ]);
    expect(retryDelayAfterFailure(Number.NaN, 1000, 5000)).toBe(1000);
    expect(retryDelayAfterFailure(-3, 1000, 5000)).toBe(1000);
  });

  it('counts store errors: a mark or a failure record that the store rejected', async () => {
    const publisher = new FakePublisher((messages) => messages.some((m) => m.messageId === 'outbox-4'));
    const store = new FakeStore(new Set(['outbox-1']), new Set(['outbox-4']));
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, now: () => NOW });

    const result = await relay.relay(range(6).map((n) => outbox(n)));

    expect(result).toMatchObject({
      sent: 4,
      failed: 2,
      storeErrors: 2,
      storeError: 'cosmos unavailable for the record',
    });
  });

  it('skips already-dispatched docs and report docs: nothing is published', async () => {
    const publisher = new FakePublisher();
    const store = new FakeStore();
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, now: () => NOW });
    const reportDoc = { id: 'report-1', kind: 'report', tenantId: 'tenant-1' } as unknown as ReportDocument;
    const docs = [
      outbox(1, { dispatchedAt: '2025-03-01T11:00:00.000Z' }),
      outbox(2, { dispatchedAt: '2025-03-01T11:30:00.000Z' }),
      reportDoc as unknown as OutboxDocument,
    ];

    const result = await relay.relay(docs);

    expect(result).toEqual({ sent: 0, skipped: 3, failed: 0, oldestAgeMs: null, ...NO_STORE_ERRORS });
    expect(publisher.calls).toHaveLength(0);
    expect(store.marked.size).toBe(0);
    expect(store.failures.size).toBe(0);
  });

  it('counts a failed markDispatched as failed but carries on with the others', async () => {
    const publisher = new FakePublisher();
    const store = new FakeStore(new Set(['outbox-3']));
    const relay = createOutboxRelay({ publisher, store, dispatchedTtlSeconds: TTL, now: () => NOW });

    const result = await relay.relay(range(6).map((n) => outbox(n)));

    expect(result).toMatchObject({ sent: 5, failed: 1, skipped: 0, storeErrors: 1 });
    expect(result.storeError).toBe('cosmos unavailable');
    // The message went out: it is not a publish failure, and the next run's re-send is deduplicated.
    expect(publisher.sent).toHaveLength(6);
    expect(store.failures.size).toBe(0);
    expect([...store.marked.keys()].sort()).toEqual([
      'outbox-0',
      'outbox-1',
      'outbox-2',
      'outbox-4',
      'outbox-5',
    ]);
  });

  it('computes oldestAgeMs from the oldest createdAt of the relayed docs', async () => {
    const relay = createOutboxRelay({
      publisher: new FakePublisher(),
      store: new FakeStore(),
      dispatchedTtlSeconds: TTL,
      now: () => NOW,
    });
    const docs = [
      outbox(1, { createdAt: '2025-03-01T11:59:30.000Z' }),
      outbox(2, { createdAt: '2025-03-01T11:55:00.000Z' }),
      // Already dispatched: skipped, so it does not count even though it is the oldest.
      outbox(3, { createdAt: '2025-03-01T10:00:00.000Z', dispatchedAt: '2025-03-01T10:00:01.000Z' }),
    ];

    const result = await relay.relay(docs);

    expect(result.oldestAgeMs).toBe(5 * 60 * 1000);
    expect(result).toMatchObject({ sent: 2, skipped: 1 });
  });

  it('returns an empty result for no docs', async () => {
    const relay = createOutboxRelay({
      publisher: new FakePublisher(),
      store: new FakeStore(),
      dispatchedTtlSeconds: TTL,
    });
    expect(await relay.relay([])).toEqual({
      sent: 0,
      skipped: 0,
      failed: 0,
      oldestAgeMs: null,
      ...NO_STORE_ERRORS,
    });
  });
});

describe('which docs the change feed relays', () => {
  const report = { id: 'report-1', kind: 'report', tenantId: 'tenant-1', attempts: 0, dispatchedAt: null };
  it.each([
    ['a new outbox doc', outbox(1), true],
    ['an outbox doc without attempts', { ...outbox(2), attempts: undefined }, true],
    ['an outbox doc with attempts null', { ...outbox(3), attempts: null }, true],
    ['an outbox doc that failed once', outbox(4, { attempts: 1, lastError: 'down' }), false],
    ['a dispatched outbox doc', outbox(5, { dispatchedAt: NOW.toISOString() }), false],
    ['a report doc', report, false],
    ['null', null, false],
  ])('%s', (_, doc, expected) => {
    expect(isFirstAttempt(doc)).toBe(expected);
  });
});
