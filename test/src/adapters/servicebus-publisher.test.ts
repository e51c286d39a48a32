// The Service Bus publisher with the real @azure/service-bus client against the local AMQP peer started by
// the global setup (queues are created on demand with a 10-minute duplicate detection window).
import { randomUUID } from 'node:crypto';
import { ServiceBusClient, ServiceBusError, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { serviceBusEmulatorConnectionString } from '../../../dev/servicebus-peer/peer';
import { createServiceBusPublisher, isBrokerUnavailable } from '../../../src/adapters/servicebus-publisher';
import { BrokerUnavailableError } from '../../../src/domain/errors';
import type { MessagePublisher, OutboundMessage } from '../../../src/services/outbox-relay';
import { freePort } from '../../support/net';

let client: ServiceBusClient;

beforeAll(() => {
  const connectionString = process.env.SERVICEBUS;
  if (!connectionString) throw new Error('SERVICEBUS is not set: the global setup did not run');
  client = new ServiceBusClient(connectionString);
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await client?.close();
});

function uniqueQueue(): string {
  return `outbox-test-${randomUUID().slice(0, 8)}`;
}

// Its sender closes with the client, after the file.
const publisherFor = (queue: string): MessagePublisher => createServiceBusPublisher(client, queue);

function message(n: number, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    messageId: randomUUID(),
    correlationId: `corr-${n}`,
    subject: 'ExportRequested',
    applicationProperties: { tenantId: `tenant-${n}`, reportId: `report-${n}` },
    body: { tenantId: `tenant-${n}`, reportId: `report-${n}`, reportType: 'ratings', format: 'csv' },
    ...overrides,
  };
}

/** Counts the senders the client creates and the sendMessages calls they make. */
function watchSenders(): { senders: number; sends: number } {
  const counts = { senders: 0, sends: 0 };
  const createSender = client.createSender.bind(client);
  vi.spyOn(client, 'createSender').mockImplementation((queueName: string) => {
    counts.senders += 1;
    const sender = createSender(queueName);
    const sendMessages = sender.sendMessages.bind(sender);
    sender.sendMessages = (...args: Parameters<typeof sendMessages>) => {
      counts.sends += 1;
      return sendMessages(...args);
    };
    return sender;
  });
  return counts;
}

/** Receives (and deletes) until `expected` arrived and one more wait came back empty, or a deadline. */
async function receiveAll(queue: string, expected: number): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
  const received: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + 20_000;
  try {
    while (Date.now() < deadline) {
      const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: 500 });
      received.push(...batch);
      if (batch.length === 0 && received.length >= expected) break;
    }
  } finally {
    await receiver.close();
  }
  return received;
}

describe('Service Bus publisher', () => {
  it('delivers the message properties as sent', async () => {
    const queue = uniqueQueue();
    const sent = message(1);

    await publisherFor(queue).publish([sent]);

    const [received, ...rest] = await receiveAll(queue, 1);
    expect(rest).toHaveLength(0);
    expect(received).toBeDefined();
    expect(received?.messageId).toBe(sent.messageId);
    expect(received?.correlationId).toBe(sent.correlationId);
    expect(received?.subject).toBe(sent.subject);
    expect(received?.applicationProperties).toEqual(sent.applicationProperties);
    expect(received?.body).toEqual(sent.body);
    expect(received?.contentType).toBe('application/json');
  });

  it('sends 300 messages in one call (several batches if needed), all arrive', async () => {
    const queue = uniqueQueue();
    // ~1 KB bodies so that 300 of them do not fit in one 256 KB batch.
    const sent = Array.from({ length: 300 }, (_, n) =>
      message(n, { body: { n, padding: 'p'.repeat(1024) } }),
    );
    const counts = watchSenders();
    const publisher = publisherFor(queue);

    await publisher.publish(sent);

    expect(counts.sends).toBeGreaterThan(1);
    const received = await receiveAll(queue, sent.length);
    expect(received).toHaveLength(300);
    expect(new Set(received.map((m) => String(m.messageId)))).toEqual(new Set(sent.map((m) => m.messageId)));
  });

  it('reuses one sender across calls', async () => {
    const queue = uniqueQueue();
    const counts = watchSenders();
    const publisher = publisherFor(queue);
    await publisher.publish([message(1)]);
    await publisher.publish([message(2), message(3)]);
    await publisher.publish([]);
    expect(counts).toEqual({ senders: 1, sends: 2 });
    expect(await receiveAll(queue, 3)).toHaveLength(3);
  });

  it('lets duplicate detection drop the same messageId published twice', async () => {
    const queue = uniqueQueue();
    const publisher = publisherFor(queue);
    const sent = message(1);

    await publisher.publish([sent]);
    await publisher.publish([sent, message(2)]);

    const received = await receiveAll(queue, 2);
    expect(received.filter((m) => m.messageId === sent.messageId)).toHaveLength(1);
    expect(received).toHaveLength(2);
  });

  it('refuses a message that does not fit in an empty batch', async () => {
    const queue = uniqueQueue();
    const huge = message(1, { body: { padding: 'x'.repeat(400 * 1024) } });

    await expect(publisherFor(queue).publish([huge])).rejects.toThrow(
      /does not fit in an empty Service Bus batch/,
    );
  });

  it('throws BrokerUnavailableError, with the SDK error as its cause, when nothing listens', async () => {
    // A namespace on a port nothing listens on; no SDK retries, so that the test is quick.
    const port = await freePort();
    const down = new ServiceBusClient(serviceBusEmulatorConnectionString('127.0.0.1', port), {
      retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
    });
    const publisher = createServiceBusPublisher(down, uniqueQueue());
    try {
      const error: unknown = await publisher.publish([message(1)]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      expect((error as BrokerUnavailableError).message).toMatch(/^Service Bus unavailable: .*ECONNREFUSED/);
      expect((error as BrokerUnavailableError).cause).toBeInstanceOf(Error);
    } finally {
      await down.close(); // closes the publisher's sender too
    }
  });

  it('throws a plain error, not BrokerUnavailableError, for a message too large', async () => {
    const huge = message(1, { body: { padding: 'x'.repeat(400 * 1024) } });
    const error: unknown = await publisherFor(uniqueQueue())
      .publish([huge])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BrokerUnavailableError);
  });
});

describe('broker unavailable classification', () => {
  const system = (code: string, syscall?: string): Error =>
    Object.assign(new Error(`${syscall ?? 'op'} ${code}`), { code, ...(syscall ? { syscall } : {}) });

  it.each([
    ['ServiceCommunicationProblem', new ServiceBusError('no route', 'ServiceCommunicationProblem')],
    ['ServiceBusy', new ServiceBusError('busy', 'ServiceBusy')],
    ['ServiceTimeout', new ServiceBusError('timeout', 'ServiceTimeout')],
    ['MessagingEntityNotFound', new ServiceBusError('no queue', 'MessagingEntityNotFound')],
    ['UnauthorizedAccess', new ServiceBusError('denied', 'UnauthorizedAccess')],
    ['QuotaExceeded', new ServiceBusError('full', 'QuotaExceeded')],
    ['a Node.js ECONNREFUSED', system('ECONNREFUSED', 'connect')],
    ['a DNS failure', system('ENOTFOUND', 'getaddrinfo')],
    [
      'the SDK GeneralError for a refused connection',
      new ServiceBusError('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5672', 'GeneralError'),
    ],
    ['a socket error as the cause', new Error('send failed', { cause: system('ECONNRESET') })],
    ['all attempts of a connect refused', new AggregateError([system('ECONNREFUSED'), system('ETIMEDOUT')])],
  ])('%s: unavailable', (_, error) => {
    expect(isBrokerUnavailable(error)).toBe(true);
  });

  it.each([
    ['MessageSizeExceeded', new ServiceBusError('too large', 'MessageSizeExceeded')],
    ['a GeneralError of a message', new ServiceBusError('bad property value', 'GeneralError')],
    ['a plain error', new Error('message x does not fit in an empty Service Bus batch')],
    ['a TypeError', new TypeError('cannot read properties of undefined')],
    ['one connect error among others', new AggregateError([system('ECONNREFUSED'), new Error('bad')])],
    ['not an error', 'ECONNREFUSED'],
    ['undefined', undefined],
  ])('%s: not unavailable', (_, error) => {
    expect(isBrokerUnavailable(error)).toBe(false);
  });
});
