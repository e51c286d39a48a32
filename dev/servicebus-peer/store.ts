// In-memory state of one queue and its dead-letter sub-queue: ordering, locks, scheduling, duplicate
// detection and dead-lettering. No networking here; peer.ts drives it from AMQP events.
import { randomUUID } from 'node:crypto';
import * as rhea from 'rhea';
import { asDate, isRecord, messageIdKey, newLockTag, type AmqpMessage } from './amqp';
import type { PeerQueueOptions, QueueStats } from './peer';

export const DEFAULT_QUEUE_OPTIONS: PeerQueueOptions = {
  maxDeliveryCount: 10,
  lockDurationMs: 60_000,
  duplicateDetectionWindowMs: 600_000,
};

// Fields rhea flattens from the AMQP header section; the peer owns them (delivery count) when delivering.
const HEADER_FIELDS = ['durable', 'priority', 'ttl', 'first_acquirer', 'delivery_count'] as const;

export interface StoredMessage {
  readonly seq: number;
  /** Message without header fields and delivery annotations. */
  message: AmqpMessage;
  header: AmqpMessage;
  /** Failed delivery attempts so far (AMQP header delivery-count). */
  deliveryCount: number;
  enqueuedAt: number;
  state: 'active' | 'locked' | 'scheduled';
  scheduledFor?: number;
  lockToken?: string;
  lockedUntil?: number;
}

/** Result of settling by lock token; `lock-lost` when the lock expired or never existed. */
export type SettleResult = 'ok' | 'lock-lost' | 'not-allowed';

export interface DeadLetterFields {
  reason?: string;
  description?: string;
  properties?: Record<string, unknown>;
}

export class Entity {
  /** Every message in the entity, in sequence-number order (sequence numbers only grow). */
  private readonly all = new Map<number, StoredMessage>();
  /** Deliverable messages, sorted by sequence number (abandoned messages go back to their place). */
  private readonly available: StoredMessage[] = [];
  private readonly locked = new Map<string, StoredMessage>();
  private readonly scheduled = new Map<number, StoredMessage>();
  /** messageId -> time it was accepted, oldest first. */
  private readonly seenIds = new Map<string, number>();
  private nextSeq = 1;

  constructor(
    readonly path: string,
    private readonly queue: Queue,
    /** Where dead-lettered messages go; undefined for the dead-letter sub-queue itself. */
    private readonly deadLetterTarget: Entity | undefined,
  ) {}

  get isDeadLetterQueue(): boolean {
    return this.deadLetterTarget === undefined;
  }

  get size(): number {
    return this.all.size;
  }

  /**
   * Stores a message sent by a client. Returns undefined when duplicate detection drops it.
   * A message with a future `x-opt-scheduled-enqueue-time` stays invisible until then.
   */
  add(incoming: AmqpMessage, now: number, options: { detectDuplicates: boolean }): StoredMessage | undefined {
    const message: AmqpMessage = {};
    const header: AmqpMessage = {};
    for (const [key, value] of Object.entries(incoming)) {
      if (key === 'delivery_annotations') continue;
      if ((HEADER_FIELDS as readonly string[]).includes(key)) header[key] = value;
      else message[key] = value;
    }
    delete header['delivery_count'];
    // The SDK needs a message id (its lock renewer is keyed by it); Service Bus always assigns one.
    if (message['message_id'] === undefined || message['message_id'] === null) {
      message['message_id'] = randomUUID().replace(/-/g, '');
    }

    const window = this.queue.options.duplicateDetectionWindowMs;
    const idKey = messageIdKey(message['message_id']);
    if (options.detectDuplicates && window > 0 && idKey !== undefined && !this.isDeadLetterQueue) {
      this.forgetIdsBefore(now - window);
      if (this.seenIds.has(idKey)) return undefined;
      this.seenIds.set(idKey, now);
    }

    const annotations = isRecord(message['message_annotations']) ? message['message_annotations'] : {};
    const scheduledFor = asDate(annotations['x-opt-scheduled-enqueue-time'])?.getTime();
    const stored: StoredMessage = {
      seq: this.nextSeq++,
      message,
      header,
      deliveryCount: 0,
      enqueuedAt: now,
      state: 'active',
    };
    this.all.set(stored.seq, stored);
    if (scheduledFor !== undefined && scheduledFor > now) {
      stored.state = 'scheduled';
      stored.scheduledFor = scheduledFor;
      this.scheduled.set(stored.seq, stored);
    } else {
      this.makeAvailable(stored);
    }
    return stored;
  }

  /** Removes a scheduled message before it becomes visible. Returns false if there was none. */
  cancelScheduled(seq: number): boolean {
    const message = this.scheduled.get(seq);
    if (!message) return false;
    this.scheduled.delete(seq);
    this.all.delete(seq);
    return true;
  }

  hasAvailable(): boolean {
    return this.available.length > 0;
  }

  /** Takes the next deliverable message and locks it; the tag is the AMQP delivery tag to use. */
  takeLocked(now: number): { message: StoredMessage; tag: Buffer } | undefined {
    const message = this.available.shift();
    if (!message) return undefined;
    const { tag, lockToken } = newLockTag();
    message.state = 'locked';
    message.lockToken = lockToken;
    message.lockedUntil = now + this.queue.options.lockDurationMs;
    this.locked.set(lockToken, message);
    return { message, tag };
  }

  /** Takes the next deliverable message and deletes it (receive-and-delete). */
  takeAndDelete(): StoredMessage | undefined {
    const message = this.available.shift();
    if (message) this.all.delete(message.seq);
    return message;
  }

  /** Extends a lock; returns the new locked-until time, or undefined if the lock is lost. */
  renewLock(lockToken: string, now: number): number | undefined {
    const message = this.validLock(lockToken, now);
    if (!message) return undefined;
    message.lockedUntil = now + this.queue.options.lockDurationMs;
    return message.lockedUntil;
  }

  complete(lockToken: string, now: number): SettleResult {
    const message = this.validLock(lockToken, now);
    if (!message) return 'lock-lost';
    this.locked.delete(lockToken);
    this.all.delete(message.seq);
    return 'ok';
  }

  /** Abandon: delivery count + 1, then available again (or dead-lettered at maxDeliveryCount). */
  abandon(lockToken: string, now: number, propertiesToModify: Record<string, unknown> = {}): SettleResult {
    const message = this.validLock(lockToken, now);
    if (!message) return 'lock-lost';
    mergeApplicationProperties(message, propertiesToModify);
    this.unlockAfterFailedDelivery(message, now);
    return 'ok';
  }

  /** Releases a lock without counting a failed delivery (AMQP `released` outcome). */
  release(lockToken: string, now: number): SettleResult {
    const message = this.validLock(lockToken, now);
    if (!message) return 'lock-lost';
    this.locked.delete(lockToken);
    this.makeAvailable(message);
    return 'ok';
  }

  deadLetter(lockToken: string, now: number, fields: DeadLetterFields): SettleResult {
    const message = this.validLock(lockToken, now);
    if (!message) return 'lock-lost';
    if (!this.deadLetterTarget) return 'not-allowed';
    this.locked.delete(lockToken);
    this.moveToDeadLetter(message, now, fields);
    return 'ok';
  }

  /** Expires locks and makes due scheduled messages visible. Returns true if anything became available. */
  sweep(now: number): boolean {
    let changed = false;
    for (const message of [...this.locked.values()]) {
      if ((message.lockedUntil ?? 0) <= now) {
        this.unlockAfterFailedDelivery(message, now);
        changed = true;
      }
    }
    for (const message of [...this.scheduled.values()]) {
      if ((message.scheduledFor ?? 0) <= now) {
        this.scheduled.delete(message.seq);
        message.enqueuedAt = message.scheduledFor ?? now;
        delete message.scheduledFor;
        this.makeAvailable(message);
        changed = true;
      }
    }
    return changed;
  }

  /** Messages from `fromSeq` on, in order, without locking (includes locked and scheduled ones). */
  peek(fromSeq: number, count: number): StoredMessage[] {
    const result: StoredMessage[] = [];
    for (const message of this.all.values()) {
      if (result.length >= count) break;
      if (message.seq >= fromSeq) result.push(message);
    }
    return result;
  }

  counts(): { active: number; scheduled: number; locked: number } {
    return { active: this.available.length, scheduled: this.scheduled.size, locked: this.locked.size };
  }

  /** The lock holder for a token, expiring it first if its time is up (the sweep may not have run yet). */
  private validLock(lockToken: string, now: number): StoredMessage | undefined {
    const message = this.locked.get(lockToken);
    if (!message) return undefined;
    if ((message.lockedUntil ?? 0) <= now) {
      this.unlockAfterFailedDelivery(message, now);
      return undefined;
    }
    return message;
  }

  private unlockAfterFailedDelivery(message: StoredMessage, now: number): void {
    if (message.lockToken) this.locked.delete(message.lockToken);
    message.deliveryCount += 1;
    const max = this.queue.options.maxDeliveryCount;
    if (this.deadLetterTarget && message.deliveryCount >= max) {
      this.moveToDeadLetter(message, now, {
        reason: 'MaxDeliveryCountExceeded',
        description: `Message could not be consumed after ${max} delivery attempts.`,
      });
    } else {
      this.makeAvailable(message);
    }
  }

  private moveToDeadLetter(message: StoredMessage, now: number, fields: DeadLetterFields): void {
    this.all.delete(message.seq);
    const target = this.deadLetterTarget;
    if (!target) return;
    mergeApplicationProperties(message, {
      ...fields.properties,
      DeadLetterReason: fields.reason,
      DeadLetterErrorDescription: fields.description,
    });
    const copy = target.add({ ...message.message, ...message.header }, now, { detectDuplicates: false });
    if (copy) copy.deliveryCount = message.deliveryCount;
  }

  private makeAvailable(message: StoredMessage): void {
    message.state = 'active';
    delete message.lockToken;
    delete message.lockedUntil;
    // Binary insert by sequence number; new messages (the common case) land at the end.
    let lo = 0;
    let hi = this.available.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.available[mid]?.seq ?? 0) < message.seq) lo = mid + 1;
      else hi = mid;
    }
    this.available.splice(lo, 0, message);
    this.queue.notifyAvailable(this);
  }

  private forgetIdsBefore(cutoff: number): void {
    for (const [id, at] of this.seenIds) {
      if (at >= cutoff) break;
      this.seenIds.delete(id);
    }
  }
}

export class Queue {
  readonly main: Entity;
  readonly deadLetter: Entity;

  constructor(
    readonly name: string,
    public options: PeerQueueOptions,
    /** Called when an entity of this queue has a message ready for delivery. */
    readonly notifyAvailable: (entity: Entity) => void,
  ) {
    this.deadLetter = new Entity(`${name}/$DeadLetterQueue`, this, undefined);
    this.main = new Entity(name, this, this.deadLetter);
  }

  sweep(now: number): void {
    this.main.sweep(now);
    this.deadLetter.sweep(now);
  }

  stats(now: number): QueueStats {
    this.sweep(now);
    return { ...this.main.counts(), deadLettered: this.deadLetter.size };
  }
}

/** Service Bus applies `propertiesToModify` and dead-letter fields to the application properties. */
function mergeApplicationProperties(message: StoredMessage, properties: Record<string, unknown>): void {
  const current = isRecord(message.message['application_properties'])
    ? message.message['application_properties']
    : {};
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(properties)) {
    if (value !== undefined && value !== null) merged[key] = value;
  }
  if (Object.keys(merged).length > 0) message.message['application_properties'] = merged;
}

/** The message as delivered (or peeked): stored fields plus the broker annotations the SDK reads. */
export function toWireMessage(message: StoredMessage): AmqpMessage {
  const annotations: Record<string, unknown> = {
    ...(isRecord(message.message['message_annotations']) ? message.message['message_annotations'] : {}),
    'x-opt-sequence-number': rhea.types.wrap_long(message.seq),
    'x-opt-enqueued-time': new Date(message.enqueuedAt),
  };
  if (message.lockedUntil !== undefined) annotations['x-opt-locked-until'] = new Date(message.lockedUntil);
  if (message.state === 'scheduled') annotations['x-opt-message-state'] = rhea.types.wrap_int(2);
  return {
    ...message.message,
    ...message.header,
    delivery_count: message.deliveryCount,
    message_annotations: annotations,
  };
}
