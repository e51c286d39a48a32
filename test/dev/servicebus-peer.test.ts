// Proves the local Service Bus peer against the real @azure/service-bus client.
import { connect } from 'node:net';
import {
  ServiceBusClient,
  isServiceBusError,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusReceiverOptions,
} from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceBusPeer, type ServiceBusPeer } from '../../dev/servicebus-peer/peer';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let peer: ServiceBusPeer;
let client: ServiceBusClient;
let queueCounter = 0;
const receivers: ServiceBusReceiver[] = [];

/** A queue name no other test uses (queues are created on first use). */
function uniqueQueue(label: string): string {
  queueCounter += 1;
  return `${label}-${queueCounter}`;
}

function receiver(queue: string, options: ServiceBusReceiverOptions = {}): ServiceBusReceiver {
  // Auto lock renewal off by default so lock tests see the raw lock behaviour.
  const created = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0, ...options });
  receivers.push(created);
  return created;
}

/** Receives exactly `count` messages (or fails after `timeoutMs`). */
async function receiveN(
  from: ServiceBusReceiver,
  count: number,
  timeoutMs = 5_000,
): Promise<ServiceBusReceivedMessage[]> {
  const received: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) {
    const batch = await from.receiveMessages(count - received.length, {
      maxWaitTimeInMs: Math.max(100, deadline - Date.now()),
    });
    received.push(...batch);
  }
  expect(received).toHaveLength(count);
  return received;
}

/** Asserts that nothing is delivered within `waitMs`. */
async function expectNothing(from: ServiceBusReceiver, waitMs = 300): Promise<void> {
  const batch = await from.receiveMessages(1, { maxWaitTimeInMs: waitMs });
  expect(batch.map((m): unknown => m.body)).toEqual([]);
}

async function send(queue: string, bodies: unknown[], extra: { messageId?: string } = {}): Promise<void> {
  const sender = client.createSender(queue);
  try {
    await sender.sendMessages(bodies.map((body) => ({ body, ...extra })));
  } finally {
    await sender.close();
  }
}

beforeAll(async () => {
  peer = await startServiceBusPeer({ port: 0 });
  client = new ServiceBusClient(peer.connectionString);
});

afterAll(async () => {
  for (const r of receivers) await r.close();
  await client?.close();
  await peer?.close();
});

describe('servicebus-peer with the real @azure/service-bus client', { timeout: 15_000 }, () => {
  it('1. sends single messages, arrays and a 50-message batch; all arrive in order', async () => {
    const queue = uniqueQueue('send');
    const sender = client.createSender(queue);
    await sender.sendMessages({ body: 'single' });
    await sender.sendMessages([{ body: 'array-0' }, { body: 'array-1' }]);
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 50; i++) expect(batch.tryAddMessage({ body: { i } })).toBe(true);
    await sender.sendMessages(batch);
    await sender.close();
    expect(peer.stats(queue)).toEqual({ active: 53, scheduled: 0, locked: 0, deadLettered: 0 });

    const r = receiver(queue);
    const messages = await receiveN(r, 53);
    expect(messages.map((m): unknown => m.body)).toEqual([
      'single',
      'array-0',
      'array-1',
      ...Array.from({ length: 50 }, (_, i) => ({ i })),
    ]);
    const sequenceNumbers = messages.map((m) => m.sequenceNumber?.toNumber());
    expect(sequenceNumbers).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
    for (const m of messages) {
      expect(m.messageId).toBeTruthy(); // assigned by the SDK or the peer
      expect(m.enqueuedTimeUtc).toBeInstanceOf(Date);
    }
    for (const m of messages) await r.completeMessage(m);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });
  });

  it('2. receives in peek-lock (receiveMessages and subscribe) and in receiveAndDelete mode', async () => {
    const queue = uniqueQueue('receive');
    await send(queue, ['a', 'b']);
    const peekLock = receiver(queue);
    const [locked] = await receiveN(peekLock, 1);
    expect(locked?.body).toBe('a');
    expect(locked?.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(locked?.deliveryCount).toBe(0);
    expect(locked?.lockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());
    expect(peer.stats(queue)).toMatchObject({ active: 1, locked: 1 });
    await peekLock.completeMessage(locked!);

    // subscribe (streaming receiver, auto-complete)
    const seen: unknown[] = [];
    const streaming = receiver(queue);
    const subscription = streaming.subscribe(
      {
        processMessage: async (message) => {
          seen.push(message.body);
        },
        processError: async (args) => {
          throw args.error;
        },
      },
      { autoCompleteMessages: true },
    );
    await send(queue, ['c']);
    const deadline = Date.now() + 5_000;
    while (seen.length < 2 && Date.now() < deadline) await sleep(20);
    await subscription.close();
    expect(seen).toEqual(['b', 'c']);
    await sleep(100); // let the auto-complete settle
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });

    // receiveAndDelete: the message is gone as soon as it is delivered
    await send(queue, ['d']);
    const deleting = receiver(queue, { receiveMode: 'receiveAndDelete' });
    const [deleted] = await receiveN(deleting, 1);
    expect(deleted?.body).toBe('d');
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });
  });

  it('3. complete removes the message', async () => {
    const queue = uniqueQueue('complete');
    await send(queue, ['done']);
    const r = receiver(queue);
    const [message] = await receiveN(r, 1);
    await r.completeMessage(message!);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });
    await expectNothing(r);
    // settling twice is rejected by the SDK itself
    await expect(r.completeMessage(message!)).rejects.toThrow();
  });

  it('4. abandon makes the message available again with deliveryCount + 1', async () => {
    const queue = uniqueQueue('abandon');
    await send(queue, ['retry-me']);
    const r = receiver(queue);
    const [first] = await receiveN(r, 1);
    expect(first?.deliveryCount).toBe(0);
    await r.abandonMessage(first!, { attempt: 1 });
    const [second] = await receiveN(r, 1);
    expect(second?.body).toBe('retry-me');
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.deliveryCount).toBe(1);
    expect(second?.applicationProperties).toMatchObject({ attempt: 1 }); // propertiesToModify applied
    expect(second?.lockToken).not.toBe(first?.lockToken);
    await r.completeMessage(second!);
  });

  it('5. dead-letter moves the message to QUEUE/$DeadLetterQueue with reason and description', async () => {
    const queue = uniqueQueue('deadletter');
    await send(queue, [{ order: 42 }]);
    const r = receiver(queue);
    const [message] = await receiveN(r, 1);
    await r.deadLetterMessage(message!, {
      deadLetterReason: 'ValidationFailed',
      deadLetterErrorDescription: 'order 42 is not valid',
    });
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 1 });
    await expectNothing(r);

    const dlq = receiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await receiveN(dlq, 1);
    expect(dead?.body).toEqual({ order: 42 });
    expect(dead?.messageId).toBe(message?.messageId);
    expect(dead?.deadLetterReason).toBe('ValidationFailed');
    expect(dead?.deadLetterErrorDescription).toBe('order 42 is not valid');
    expect(dead?.applicationProperties).toMatchObject({ DeadLetterReason: 'ValidationFailed' });
    await dlq.completeMessage(dead!);
    expect(peer.stats(queue).deadLettered).toBe(0);
  });

  it('6a. an unsettled lock expires: message redelivered with deliveryCount + 1, late settle fails', async () => {
    const queue = uniqueQueue('lock-expiry');
    peer.createQueue(queue, { lockDurationMs: 1_000 });
    await send(queue, ['slow']);
    const r = receiver(queue);
    const [first] = await receiveN(r, 1);
    const lockMs = (first?.lockedUntilUtc?.getTime() ?? 0) - Date.now();
    expect(lockMs).toBeGreaterThan(500);
    expect(lockMs).toBeLessThanOrEqual(1_000);
    await sleep(1_200);
    expect(peer.stats(queue)).toMatchObject({ active: 1, locked: 0 });

    const error: unknown = await r.completeMessage(first!).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isServiceBusError(error) && error.code).toBe('MessageLockLost');

    const [second] = await receiveN(r, 1);
    expect(second?.body).toBe('slow');
    expect(second?.deliveryCount).toBe(1);
    await r.completeMessage(second!);
  });

  it('6b. renew-lock extends lockedUntilUtc and keeps the message locked past the first expiry', async () => {
    const queue = uniqueQueue('renew');
    peer.createQueue(queue, { lockDurationMs: 1_000 });
    await send(queue, ['long-job']);
    const r = receiver(queue);
    const [message] = await receiveN(r, 1);
    const firstLockedUntil = message!.lockedUntilUtc!.getTime();
    await sleep(600);
    const renewed = await r.renewMessageLock(message!);
    expect(renewed.getTime()).toBeGreaterThan(firstLockedUntil + 400);
    expect(message?.lockedUntilUtc?.getTime()).toBe(renewed.getTime());
    await sleep(Math.max(0, firstLockedUntil + 200 - Date.now())); // past the original expiry
    expect(peer.stats(queue)).toMatchObject({ active: 0, locked: 1 });
    await r.completeMessage(message!);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 0 });
  });

  it('6c. the SDK auto lock renewal keeps a message locked beyond lockDuration', async () => {
    const queue = uniqueQueue('auto-renew');
    peer.createQueue(queue, { lockDurationMs: 1_200 });
    await send(queue, ['auto']);
    const r = receiver(queue, { maxAutoLockRenewalDurationInMs: 10_000 });
    const [message] = await receiveN(r, 1);
    const firstLockedUntil = message!.lockedUntilUtc!.getTime();
    await sleep(Math.max(0, firstLockedUntil + 300 - Date.now())); // the SDK renews after ~600 ms
    expect(message?.lockedUntilUtc?.getTime()).toBeGreaterThan(firstLockedUntil);
    expect(peer.stats(queue)).toMatchObject({ active: 0, locked: 1 });
    await r.completeMessage(message!);
  });

  it('7a. maxDeliveryCount reached by abandon dead-letters with MaxDeliveryCountExceeded', async () => {
    const queue = uniqueQueue('max-delivery');
    peer.createQueue(queue, { maxDeliveryCount: 2 });
    await send(queue, ['poison']);
    const r = receiver(queue);
    for (let attempt = 0; attempt < 2; attempt++) {
      const [message] = await receiveN(r, 1);
      expect(message?.deliveryCount).toBe(attempt);
      await r.abandonMessage(message!);
    }
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 1 });
    await expectNothing(r);
    const dlq = receiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await receiveN(dlq, 1);
    expect(dead?.body).toBe('poison');
    expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead?.deadLetterErrorDescription).toContain('2 delivery attempts');
    await dlq.completeMessage(dead!);
  });

  it('7b. maxDeliveryCount reached by lock expiry also dead-letters', async () => {
    const queue = uniqueQueue('max-delivery-expiry');
    peer.createQueue(queue, { maxDeliveryCount: 1, lockDurationMs: 300 });
    await send(queue, ['stuck']);
    const r = receiver(queue);
    await receiveN(r, 1);
    await sleep(500);
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 1 });
    const dlq = receiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await receiveN(dlq, 1);
    expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
  });

  it('8a. a message with scheduledEnqueueTimeUtc is invisible until that time', async () => {
    const queue = uniqueQueue('scheduled');
    const at = new Date(Date.now() + 1_000);
    const sender = client.createSender(queue);
    await sender.sendMessages({ body: 'later', scheduledEnqueueTimeUtc: at });
    await sender.close();
    expect(peer.stats(queue)).toMatchObject({ active: 0, scheduled: 1 });
    const r = receiver(queue);
    await expectNothing(r, 300);
    const [message] = await receiveN(r, 1);
    expect(message?.body).toBe('later');
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    expect(message?.enqueuedTimeUtc?.getTime()).toBeGreaterThanOrEqual(at.getTime());
    await r.completeMessage(message!);
  });

  it('8b. scheduleMessages returns sequence numbers; cancelled ones never appear', async () => {
    const queue = uniqueQueue('schedule-cancel');
    const sender = client.createSender(queue);
    const at = new Date(Date.now() + 800);
    const sequenceNumbers = await sender.scheduleMessages([{ body: 'keep' }, { body: 'cancel' }], at);
    expect(sequenceNumbers).toHaveLength(2);
    expect(sequenceNumbers.map((s) => s.toNumber())).toEqual([1, 2]);
    expect(peer.stats(queue)).toMatchObject({ active: 0, scheduled: 2 });
    await sender.cancelScheduledMessages(sequenceNumbers[1]!);
    await sender.close();
    expect(peer.stats(queue)).toMatchObject({ scheduled: 1 });

    const r = receiver(queue);
    await expectNothing(r, 300);
    const [message] = await receiveN(r, 1);
    expect(message?.body).toBe('keep');
    expect(message?.sequenceNumber?.toNumber()).toBe(1);
    await r.completeMessage(message!);
    await expectNothing(r, 400);
  });

  it('9. duplicate messageId within the window is dropped; after the window it is accepted', async () => {
    const queue = uniqueQueue('dedup');
    await send(queue, ['first'], { messageId: 'order-1' });
    await send(queue, ['duplicate'], { messageId: 'order-1' }); // sender sees success
    await send(queue, ['other'], { messageId: 'order-2' });
    const r = receiver(queue);
    const messages = await receiveN(r, 2);
    expect(messages.map((m): unknown[] => [m.messageId, m.body])).toEqual([
      ['order-1', 'first'],
      ['order-2', 'other'],
    ]);
    for (const m of messages) await r.completeMessage(m);
    await expectNothing(r);

    const shortWindow = uniqueQueue('dedup-short');
    peer.createQueue(shortWindow, { duplicateDetectionWindowMs: 300 });
    await send(shortWindow, ['one'], { messageId: 'same' });
    await sleep(400);
    await send(shortWindow, ['two'], { messageId: 'same' });
    const r2 = receiver(shortWindow);
    const both = await receiveN(r2, 2);
    expect(both.map((m): unknown => m.body)).toEqual(['one', 'two']);
    for (const m of both) await r2.completeMessage(m);
  });

  it('10. peek returns bodies in order from a sequence number without locking', async () => {
    const queue = uniqueQueue('peek');
    await send(queue, ['p1', 'p2', 'p3']);
    const r = receiver(queue);
    const peeked = await r.peekMessages(3);
    expect(peeked.map((m): unknown => m.body)).toEqual(['p1', 'p2', 'p3']);
    expect(peeked.every((m) => m.lockToken === undefined)).toBe(true);
    expect(peer.stats(queue)).toMatchObject({ active: 3, locked: 0 });

    const fromSecond = await r.peekMessages(5, { fromSequenceNumber: peeked[1]!.sequenceNumber! });
    expect(fromSecond.map((m): unknown => m.body)).toEqual(['p2', 'p3']);
    expect(await r.peekMessages(1)).toEqual([]); // continues after the last peeked message

    const received = await receiveN(r, 3);
    expect(received.map((m): unknown[] => [m.body, m.deliveryCount])).toEqual([
      ['p1', 0],
      ['p2', 0],
      ['p3', 0],
    ]);
    for (const m of received) await r.completeMessage(m);
  });

  it('settles through $management (update-disposition) once the receiving link is closed', async () => {
    const queue = uniqueQueue('mgmt-settle');
    await send(queue, ['m1', 'm2']);
    const first = receiver(queue);
    const [m1, m2] = await receiveN(first, 2);
    await first.close(); // locks survive the link; the SDK now settles via $management
    const second = receiver(queue);
    await second.completeMessage(m1!);
    await second.deadLetterMessage(m2!, {
      deadLetterReason: 'Late',
      deadLetterErrorDescription: 'after close',
    });
    expect(peer.stats(queue)).toEqual({ active: 0, scheduled: 0, locked: 0, deadLettered: 1 });
    const [dead] = await receiveN(receiver(queue, { subQueueType: 'deadLetter' }), 1);
    expect([dead?.body, dead?.deadLetterReason]).toEqual(['m2', 'Late']);
  });

  it('defer is rejected with a clear error and the peer keeps working', async () => {
    const queue = uniqueQueue('defer');
    peer.createQueue(queue, { lockDurationMs: 300 });
    await send(queue, ['x']);
    const r = receiver(queue);
    const [message] = await receiveN(r, 1);
    await expect(r.deferMessage(message!)).rejects.toThrow(/defer/);
    const [again] = await receiveN(r, 1); // lock expired, back in the queue
    expect(again?.deliveryCount).toBe(1);
    await r.completeMessage(again!);
  });

  it('survives abrupt disconnects; locks of a closed client expire and the message returns', async () => {
    const queue = uniqueQueue('disconnect');
    peer.createQueue(queue, { lockDurationMs: 300 });
    await send(queue, ['orphan']);

    const other = new ServiceBusClient(peer.connectionString);
    const [locked] = await other.createReceiver(queue).receiveMessages(1, { maxWaitTimeInMs: 2_000 });
    expect(locked?.body).toBe('orphan');
    await other.close();

    // A raw socket that sends half a protocol header and disappears.
    await new Promise<void>((resolve) => {
      const socket = connect(peer.port, '127.0.0.1', () => {
        socket.write(Buffer.from('AMQP'));
        socket.destroy();
        resolve();
      });
    });

    const r = receiver(queue);
    const [returned] = await receiveN(r, 1);
    expect(returned?.body).toBe('orphan');
    expect(returned?.deliveryCount).toBe(1);
    await r.completeMessage(returned!);
  });
});
