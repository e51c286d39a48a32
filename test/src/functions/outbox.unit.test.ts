// The outbox functions as unit tests: each handler is called the way the Functions host calls it (a real
// InvocationContext), built by their factories over a fake outbox service.
import { InvocationContext, type Timer } from '@azure/functions';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../../src/services';
import type { OutboxDocument } from '../../../src/domain/report';
import type { FunctionDefinition } from '../../../src/functions/definition';
import { makeOutboxRelay } from '../../../src/functions/outboxRelay';
import { makeOutboxSweeper } from '../../../src/functions/outboxSweeper';
import type { RelayResult } from '../../../src/services/outbox-relay';

function outbox(n: number, overrides: Partial<OutboxDocument> = {}): OutboxDocument {
  return {
    id: `outbox-${n}`,
    kind: 'outbox',
    tenantId: 'tenant-1',
    reportId: `report-${n}`,
    messageType: 'ExportRequested',
    payload: { tenantId: 'tenant-1', reportId: `report-${n}`, reportType: 'popularity', format: 'csv' },
    correlationId: `corr-${n}`,
    createdAt: '2025-03-01T12:00:00.000Z',
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
    ...overrides,
  };
}

const OK: RelayResult = {
  sent: 0,
  skipped: 0,
  failed: 0,
  oldestAgeMs: null,
  storeErrors: 0,
  storeError: null,
};

let relayed: OutboxDocument[][];
let relayResult: () => Promise<RelayResult>;
let sweepResult: RelayResult;
let logs: string[];

/** The fake outbox service: records what it is asked to relay and answers as the test says. */
const fakeOutbox: Services['outbox'] = {
  relay: (docs) => {
    relayed.push(docs);
    return relayResult();
  },
  sweep: () => Promise.resolve(sweepResult),
  oldestUndispatchedAgeMs: () => Promise.resolve(0),
};
const outboxRelay: FunctionDefinition = makeOutboxRelay({ outbox: fakeOutbox });
const outboxSweeper: FunctionDefinition = makeOutboxSweeper({ outbox: fakeOutbox });

function context(name: string): InvocationContext {
  return new InvocationContext({
    functionName: name,
    invocationId: `invocation-${name}`,
    logHandler: (level, ...args) =>
      logs.push(`${level === 'information' ? '' : `${level}: `}${args.map(String).join(' ')}`),
  });
}

async function changeFeed(documents: unknown[]): Promise<void> {
  if (outboxRelay.trigger !== 'cosmosDB') throw new Error('outboxRelay is not a Cosmos DB trigger');
  const handler = outboxRelay.options.handler as (docs: unknown[], context: InvocationContext) => unknown;
  await handler(documents, context('outboxRelay'));
}

beforeEach(() => {
  relayed = [];
  logs = [];
  relayResult = () => Promise.resolve({ ...OK, sent: 1 });
  sweepResult = OK;
});

describe('outboxRelay (change feed)', () => {
  it('relays only outbox docs never attempted; failed, dispatched and report docs are left alone', async () => {
    const { attempts: _omitted, ...withoutAttempts } = outbox(2);
    const report = { id: 'report-9', kind: 'report', tenantId: 'tenant-1', status: 'Pending' };
    await changeFeed([
      outbox(1),
      withoutAttempts,
      outbox(3, { attempts: 1, lastError: 'ECONNREFUSED' }), // the change its own failure record made
      outbox(4, { attempts: 6, lastError: 'ECONNREFUSED' }),
      outbox(5, { dispatchedAt: '2025-03-01T12:00:01.000Z' }),
      report,
    ]);

    expect(relayed.map((docs) => docs.map((d) => d.id))).toEqual([['outbox-1', 'outbox-2']]);
    expect(logs).toEqual(['outbox relay: sent 1, skipped 0, failed 0']);
  });

  it('does not call the relay for a batch without new outbox docs', async () => {
    await changeFeed([outbox(3, { attempts: 2, lastError: 'down' }), { id: 'r', kind: 'report' }]);
    expect(relayed).toEqual([]);
  });

  it('does not throw when docs could not be sent (their failure is recorded; the sweeper retries)', async () => {
    relayResult = () => Promise.resolve({ ...OK, failed: 2 });
    await expect(changeFeed([outbox(1), outbox(2)])).resolves.toBeUndefined();
  });

  it('throws when the store could not be written, so that the retry policy runs the batch again', async () => {
    relayResult = () =>
      Promise.resolve({ ...OK, sent: 1, failed: 1, storeErrors: 1, storeError: 'Cosmos 503' });
    await expect(changeFeed([outbox(1), outbox(2)])).rejects.toThrow(
      /1 of 2 outbox documents could not be updated in the store \(Cosmos 503\)/,
    );
  });

  it('throws when the relay itself fails', async () => {
    relayResult = () => Promise.reject(new Error('unexpected'));
    await expect(changeFeed([outbox(1)])).rejects.toThrow('unexpected');
  });

  it('declares an exponential-backoff retry policy and a batch size', () => {
    if (outboxRelay.trigger !== 'cosmosDB') throw new Error('outboxRelay is not a Cosmos DB trigger');
    expect(outboxRelay.options.retry).toMatchObject({ strategy: 'exponentialBackoff' });
    expect(outboxRelay.options).toMatchObject({
      maxItemsPerInvocation: 100,
      leaseContainerName: '%COSMOS_LEASES_CONTAINER%',
    });
  });
});

describe('outboxSweeper (timer)', () => {
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  const sweep = async (): Promise<void> => {
    if (outboxSweeper.trigger !== 'timer') throw new Error('outboxSweeper is not a timer');
    await outboxSweeper.options.handler(timer, context('outboxSweeper'));
  };

  it('logs how many it relayed and the age of the oldest', async () => {
    sweepResult = { ...OK, sent: 3, failed: 1, oldestAgeMs: 92_400 };
    await sweep();
    expect(logs).toEqual(['outbox sweep: relayed 3, failed 1, skipped 0; oldest 92 s']);
  });

  it('says a sweep that did nothing at debug level only, and the store errors when there were some', async () => {
    await sweep();
    sweepResult = { ...OK, failed: 2, oldestAgeMs: 1_000, storeErrors: 2, storeError: 'Cosmos 503' };
    await sweep();
    expect(logs).toEqual([
      'debug: outbox sweep: relayed 0, failed 0, skipped 0; oldest none',
      'outbox sweep: relayed 0, failed 2, skipped 0; oldest 1 s; 2 not updated in the store (Cosmos 503)',
    ]);
  });
});
