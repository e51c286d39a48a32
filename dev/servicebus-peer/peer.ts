// A small AMQP 1.0 peer that the real @azure/service-bus client accepts as a Service Bus namespace
// (connection string with UseDevelopmentEmulator=true, plain AMQP). Dev/test tooling only.
//
// Supported: queues created on demand, send / batch send, peek-lock and receive-and-delete receivers,
// complete / abandon / dead-letter, lock expiry and renew-lock, maxDeliveryCount, scheduled messages
// (annotation or schedule-message), cancel-scheduled-message, duplicate detection, peek, the
// dead-letter sub-queue, and settlement through $management (update-disposition).
// Not supported: topics/subscriptions, sessions, deferral, transactions, message TTL expiry.
//
// Locks and disconnects: like Service Bus, a message locked by a link that goes away (link detach,
// connection closed or dropped) stays locked until its lockDuration expires; it then becomes available
// again with delivery count + 1. Until then it can still be settled through $management.
import { randomBytes } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import * as rhea from 'rhea';
import {
  asArray,
  asNumber,
  asString,
  creditLimit,
  decodeMessage,
  encodeMessage,
  isRecord,
  lockTokenFromUuid,
  makeDrainAlwaysEcho,
  readRemoteOutcome,
  rejectedOutcome,
  setLocalAttachFields,
  successOutcome,
  type AmqpErrorFields,
  type AmqpMessage,
} from './amqp';
import { DEFAULT_QUEUE_OPTIONS, Entity, Queue, toWireMessage, type SettleResult } from './store';

/** The Service Bus emulator connection string form: plain AMQP, any SAS key. */
export function serviceBusEmulatorConnectionString(host: string, port: number): string {
  return (
    `Endpoint=sb://${host}:${port};SharedAccessKeyName=RootManageSharedAccessKey;` +
    'SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;'
  );
}

export interface PeerQueueOptions {
  maxDeliveryCount: number;
  lockDurationMs: number;
  duplicateDetectionWindowMs: number;
}
export interface ServiceBusPeerOptions {
  host?: string; // default '127.0.0.1'
  port?: number; // default 5672; 0 = pick a free port
  defaults?: Partial<PeerQueueOptions>;
  queues?: Record<string, Partial<PeerQueueOptions>>;
  log?: (line: string) => void; // optional debug logging, silent by default
}
export interface QueueStats {
  active: number;
  scheduled: number;
  locked: number;
  deadLettered: number;
}
export interface ServiceBusPeer {
  readonly host: string;
  readonly port: number;
  readonly connectionString: string; // the emulator connection string for this port
  createQueue(name: string, options?: Partial<PeerQueueOptions>): void; // idempotent; updates options if exists
  stats(queue: string): QueueStats;
  close(): Promise<void>; // closes all connections and the listener
}

export async function startServiceBusPeer(options: ServiceBusPeerOptions = {}): Promise<ServiceBusPeer> {
  const peer = new Peer(options);
  await peer.listen(options.port ?? 5672);
  return peer;
}

/** message_format of a Service Bus batch: the body is a sequence of data sections, each an encoded message. */
const BATCH_MESSAGE_FORMAT = 0x80013700;
/** Service Bus Standard tier limit; the SDK sizes message batches from this attach field. */
const MAX_MESSAGE_SIZE = 256 * 1024;
const SWEEP_INTERVAL_MS = 50;

const LOCK_LOST: AmqpErrorFields = {
  condition: 'com.microsoft:message-lock-lost',
  description:
    'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
};

/** A client receiver attached to a queue or dead-letter queue (a sending link on our side). */
interface Consumer {
  readonly entity: Entity;
  readonly link: rhea.Sender;
  readonly receiveAndDelete: boolean;
  /** Deliveries sent plus credit given up by draining, compared against rhea's credit limit. */
  consumed: number;
}

interface ManagementResponse {
  status: number;
  body?: unknown;
  error?: AmqpErrorFields;
}

class Peer implements ServiceBusPeer {
  readonly host: string;
  private actualPort = 0;
  private readonly container = rhea.create_container({ id: 'servicebus-peer' });
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<rhea.Connection>();
  private readonly queues = new Map<string, Queue>();
  private readonly defaults: PeerQueueOptions;
  private readonly consumers = new Map<Entity, Consumer[]>();
  /** Lock token of each peek-lock delivery we sent, to settle it when the client reports an outcome. */
  private readonly lockedDeliveries = new WeakMap<rhea.Delivery, { entity: Entity; lockToken: string }>();
  private readonly pendingDispatch = new Set<Entity>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly log: (line: string) => void;

  constructor(options: ServiceBusPeerOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.log = options.log ?? (() => undefined);
    this.defaults = { ...DEFAULT_QUEUE_OPTIONS, ...definedOnly(options.defaults) };
    for (const [name, queueOptions] of Object.entries(options.queues ?? {}))
      this.createQueue(name, queueOptions);
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    this.wireContainer();
  }

  get port(): number {
    return this.actualPort;
  }

  get connectionString(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return serviceBusEmulatorConnectionString(host, this.port);
  }

  createQueue(name: string, options: Partial<PeerQueueOptions> = {}): void {
    const key = name.toLowerCase();
    const existing = this.queues.get(key);
    if (existing) {
      existing.options = validateOptions({ ...existing.options, ...definedOnly(options) });
      return;
    }
    const queueOptions = validateOptions({ ...this.defaults, ...definedOnly(options) });
    this.queues.set(key, new Queue(name, queueOptions, (entity) => this.scheduleDispatch(entity)));
    this.log(`queue ${name} created ${JSON.stringify(queueOptions)}`);
  }

  stats(queue: string): QueueStats {
    return (
      this.queues.get(queue.toLowerCase())?.stats(Date.now()) ?? {
        active: 0,
        scheduled: 0,
        locked: 0,
        deadLettered: 0,
      }
    );
  }

  async listen(port: number): Promise<void> {
    const listenOptions = {
      port,
      host: this.host,
      // Link options for every link on accepted connections: we settle incoming and outgoing deliveries
      // ourselves, and `modified` (abandon) must stay distinct from `released`.
      autoaccept: false,
      treat_modified_as_released: false,
    };
    const server = this.container.listen(listenOptions);
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.log(`listener error: ${String(error)}`));
    const address = server.address();
    this.actualPort = typeof address === 'object' && address !== null ? address.port : port;
  }

  async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    for (const connection of this.connections) connection.close();
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Give the close frames a moment to go out, then drop whatever is still connected.
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  // ---------------------------------------------------------------------------------------------
  // AMQP wiring

  private wireContainer(): void {
    const c = this.container;
    // SASL ANONYMOUS or PLAIN with any credentials; real authorization would happen through $cbs.
    const mechanisms: unknown = c.sasl_server_mechanisms;
    if (isRecord(mechanisms)) {
      const { enable_anonymous: enableAnonymous, enable_plain: enablePlain } = mechanisms;
      if (typeof enableAnonymous === 'function') enableAnonymous.call(mechanisms);
      if (typeof enablePlain === 'function') enablePlain.call(mechanisms, () => true);
    }
    c.on('connection_open', (context: rhea.EventContext) => {
      this.connections.add(context.connection);
      this.log(`connection ${context.connection.container_id} open`);
    });
    const dropConnection = (context: rhea.EventContext): void => {
      this.connections.delete(context.connection);
      this.removeConsumers((consumer) => consumer.link.connection === context.connection);
    };
    c.on('connection_close', dropConnection);
    c.on('disconnected', dropConnection);
    c.on('connection_error', (context: rhea.EventContext) =>
      this.log(`connection error: ${describe(context)}`),
    );
    c.on('session_error', (context: rhea.EventContext) => this.log(`session error: ${describe(context)}`));
    c.on('error', (error: unknown) => this.log(`amqp error: ${String(error)}`));
    c.on('sender_open', (context: rhea.EventContext) => this.onClientReceiverAttached(context));
    c.on('receiver_open', (context: rhea.EventContext) => this.onClientSenderAttached(context));
  }

  /** A client receiver attached: we are the sending end (queue, DLQ, or a $cbs/$management reply link). */
  private onClientReceiverAttached(context: rhea.EventContext): void {
    const link = context.sender;
    if (!link) return;
    const address = terminusAddress(link.source) ?? '';
    link.set_source({ address });
    link.set_target({ address: terminusAddress(link.target) ?? '' });
    link.on('sender_error', (ctx: rhea.EventContext) => this.log(`sender link error: ${describe(ctx)}`));
    const target = parseAddress(address);
    // Reply links of request/response pairs: responses are routed to them by reply_to address.
    if (target.kind !== 'entity') return;
    if (hasSessionFilter(link.source)) {
      link.close({
        condition: 'amqp:not-implemented',
        description: 'servicebus-peer does not support sessions',
      });
      return;
    }
    const queue = this.queue(target.queue);
    const entity = target.deadLetter ? queue.deadLetter : queue.main;
    // Mirror the client's settle modes: snd-settle-mode settled (1) means receive-and-delete.
    const receiveAndDelete = link.snd_settle_mode === 1;
    setLocalAttachFields(link, {
      snd_settle_mode: link.snd_settle_mode,
      rcv_settle_mode: link.rcv_settle_mode,
    });
    makeDrainAlwaysEcho(link);
    const consumer: Consumer = { entity, link, receiveAndDelete, consumed: 0 };
    this.consumers.set(entity, [...(this.consumers.get(entity) ?? []), consumer]);
    this.log(`receiver attached to ${entity.path} (${receiveAndDelete ? 'receiveAndDelete' : 'peekLock'})`);

    link.on('sender_flow', () => this.dispatch(entity));
    link.on('sendable', () => this.dispatch(entity));
    // Drain: send what we have, then give up the remaining credit and echo drain=true.
    link.on('sender_draining', () => {
      this.dispatch(entity);
      consumer.consumed = creditLimit(link);
      link.set_drained(true);
    });
    for (const outcome of ['accepted', 'rejected', 'modified', 'released']) {
      link.on(outcome, (ctx: rhea.EventContext) => this.onOutcome(ctx));
    }
    link.on('sender_close', () => this.removeConsumers((other) => other === consumer));
  }

  /** A client sender attached: we receive messages for a queue, $cbs or $management. */
  private onClientSenderAttached(context: rhea.EventContext): void {
    const link = context.receiver;
    if (!link) return;
    const address = terminusAddress(link.target) ?? '';
    link.set_target({ address });
    link.set_source({ address: terminusAddress(link.source) ?? '' });
    setLocalAttachFields(link, { max_message_size: MAX_MESSAGE_SIZE });
    link.on('receiver_error', (ctx: rhea.EventContext) => this.log(`receiver link error: ${describe(ctx)}`));
    const target = parseAddress(address);
    if (target.kind === 'reply') {
      link.close({ condition: 'amqp:not-found', description: `No entity at '${address}'.` });
      return;
    }
    if (target.kind === 'entity' && target.deadLetter) {
      link.close({ condition: 'amqp:not-allowed', description: 'Cannot send to a dead-letter queue.' });
      return;
    }
    if (target.kind === 'entity') this.queue(target.queue);
    link.on('message', (ctx: rhea.EventContext) => {
      const delivery = ctx.delivery;
      if (!delivery) return;
      try {
        if (target.kind === 'cbs') {
          delivery.accept();
          // We accept any token: answer put-token with 200.
          this.reply(ctx.connection, messageFields(ctx.message), { status: 200 });
        } else if (target.kind === 'management') {
          delivery.accept();
          const request = messageFields(ctx.message);
          const queue = this.queue(target.queue);
          const entity = target.deadLetter ? queue.deadLetter : queue.main;
          this.reply(ctx.connection, request, this.handleManagement(entity, request));
        } else {
          this.receiveMessages(this.queue(target.queue).main, ctx.message, delivery.format);
          delivery.accept();
        }
      } catch (error) {
        this.log(`failed to handle message on ${address}: ${String(error)}`);
        delivery.reject({ condition: 'amqp:internal-error', description: String(error) });
      }
    });
  }

  private receiveMessages(entity: Entity, payload: unknown, format: number): void {
    const now = Date.now();
    for (const message of unpackMessages(payload, format)) {
      const stored = entity.add(message, now, { detectDuplicates: true });
      if (stored) this.log(`${entity.path}: stored #${stored.seq} (${stored.state})`);
      else this.log(`${entity.path}: duplicate ${String(message['message_id'])} dropped`);
    }
  }

  /** Sends a $cbs / $management response to the link whose address is the request's reply_to. */
  private reply(connection: rhea.Connection, request: AmqpMessage, response: ManagementResponse): void {
    const replyTo = asString(request['reply_to']);
    const link = connection.find_sender(
      (candidate: rhea.Sender) => terminusAddress(candidate.target) === replyTo || candidate.name === replyTo,
    );
    if (!replyTo || !link) {
      this.log(`no reply link for ${String(replyTo)}`);
      return;
    }
    const properties: Record<string, unknown> = {
      // core-amqp reads 'status-code'; the SDK's management client reads 'statusCode' (e.g. 204 for peek).
      'status-code': response.status,
      statusCode: response.status,
      'status-description': response.error?.description ?? 'OK',
    };
    if (response.error) properties['error-condition'] = response.error.condition;
    const message: AmqpMessage = {
      correlation_id: request['message_id'],
      to: replyTo,
      application_properties: properties,
    };
    if (response.body !== undefined) message['body'] = response.body;
    link.send(encodeMessage(message), undefined, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery

  private queue(name: string): Queue {
    this.createQueue(name);
    const queue = this.queues.get(name.toLowerCase());
    if (!queue) throw new Error(`queue ${name} missing`);
    return queue;
  }

  /** Coalesces "messages available" notifications from the store into one dispatch per entity. */
  private scheduleDispatch(entity: Entity): void {
    if (this.pendingDispatch.size === 0) {
      queueMicrotask(() => {
        const entities = [...this.pendingDispatch];
        this.pendingDispatch.clear();
        for (const e of entities) this.dispatch(e);
      });
    }
    this.pendingDispatch.add(entity);
  }

  /** Sends available messages to attached receivers with credit, round-robin. */
  private dispatch(entity: Entity): void {
    const consumers = this.consumers.get(entity);
    if (!consumers) return;
    while (entity.hasAvailable()) {
      const index = consumers.findIndex((c) => c.link.is_open() && creditLimit(c.link) - c.consumed > 0);
      const consumer = consumers[index];
      if (!consumer) return;
      // Rotate so the next message goes to the next receiver.
      consumers.splice(index, 1);
      consumers.push(consumer);
      this.deliver(consumer);
    }
  }

  private deliver(consumer: Consumer): void {
    const { entity, link } = consumer;
    const now = Date.now();
    if (consumer.receiveAndDelete) {
      const message = entity.takeAndDelete();
      if (!message) return;
      // The link's snd-settle-mode is "settled", so rhea sends this delivery pre-settled.
      link.send(encodeMessage(toWireMessage(message)), lockTagless(), 0);
    } else {
      const taken = entity.takeLocked(now);
      if (!taken) return;
      // The 16-byte delivery tag becomes the SDK's lock token.
      const delivery = link.send(encodeMessage(toWireMessage(taken.message)), taken.tag, 0);
      if (taken.message.lockToken) {
        this.lockedDeliveries.set(delivery, { entity, lockToken: taken.message.lockToken });
      }
    }
    consumer.consumed += 1;
  }

  /**
   * The client reported an outcome for one of our peek-lock deliveries. The SDK uses rcv-settle-mode
   * "second": it waits for us to settle, and treats an error in our (rejected) outcome as failure.
   */
  private onOutcome(context: rhea.EventContext): void {
    const delivery = context.delivery;
    if (!delivery) return;
    const locked = this.lockedDeliveries.get(delivery);
    if (!locked || delivery.settled) return;
    const { entity, lockToken } = locked;
    const now = Date.now();
    const outcome = readRemoteOutcome(delivery.remote_state);
    let result: SettleResult | 'defer';
    switch (outcome.kind) {
      case 'accepted':
        result = entity.complete(lockToken, now);
        break;
      case 'rejected': // dead-letter; the SDK puts reason/description (and properties to modify) in error.info
        result = entity.deadLetter(lockToken, now, {
          reason: asString(outcome.info['DeadLetterReason']),
          description: asString(outcome.info['DeadLetterErrorDescription']),
          properties: outcome.info,
        });
        break;
      case 'modified': // abandon, or defer when undeliverable-here is set
        result = outcome.undeliverableHere ? 'defer' : entity.abandon(lockToken, now, outcome.annotations);
        break;
      case 'released':
        result = entity.release(lockToken, now);
        break;
      default:
        return; // not a terminal outcome; wait for one
    }
    this.lockedDeliveries.delete(delivery);
    this.log(`${entity.path}: ${outcome.kind} -> ${result}`);
    if (result === 'ok') {
      delivery.update(true, successOutcome(outcome.kind));
    } else if (result === 'lock-lost') {
      delivery.update(true, rejectedOutcome(LOCK_LOST));
    } else if (result === 'defer') {
      // The message stays locked and becomes available again when the lock expires.
      delivery.update(
        true,
        rejectedOutcome({
          condition: 'amqp:not-implemented',
          description: 'servicebus-peer does not support defer',
        }),
      );
    } else {
      delivery.update(
        true,
        rejectedOutcome({
          condition: 'amqp:not-allowed',
          description: 'Cannot dead-letter a dead-lettered message.',
        }),
      );
    }
  }

  private removeConsumers(predicate: (consumer: Consumer) => boolean): void {
    for (const [entity, consumers] of this.consumers) {
      const kept = consumers.filter((consumer) => !predicate(consumer));
      if (kept.length === 0) this.consumers.delete(entity);
      else this.consumers.set(entity, kept);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const queue of this.queues.values()) queue.sweep(now);
  }

  // ---------------------------------------------------------------------------------------------
  // $management (request bodies and responses are AMQP maps; see the SDK's managementClient.js)

  private handleManagement(entity: Entity, request: AmqpMessage): ManagementResponse {
    const properties = isRecord(request['application_properties']) ? request['application_properties'] : {};
    const operation = asString(properties['operation']);
    const body = isRecord(request['body']) ? request['body'] : {};
    const now = Date.now();
    this.log(`${entity.path}/$management: ${String(operation)}`);
    switch (operation) {
      case 'com.microsoft:peek-message': {
        entity.sweep(now);
        const from = asNumber(body['from-sequence-number']) ?? 1;
        const count = asNumber(body['message-count']) ?? 1;
        const messages = entity.peek(from, count).map((m) => ({ message: encodeMessage(toWireMessage(m)) }));
        return { status: messages.length > 0 ? 200 : 204, body: { messages } };
      }
      case 'com.microsoft:renew-lock': {
        const expirations: Date[] = [];
        for (const token of asArray(body['lock-tokens'])) {
          const lockToken = lockTokenFromUuid(token);
          const until = lockToken === undefined ? undefined : entity.renewLock(lockToken, now);
          if (until === undefined) return { status: 410, error: LOCK_LOST };
          expirations.push(new Date(until));
        }
        return { status: 200, body: { expirations } };
      }
      case 'com.microsoft:schedule-message': {
        const sequenceNumbers: number[] = [];
        for (const entry of asArray(body['messages'])) {
          const bytes = isRecord(entry) ? entry['message'] : undefined;
          if (!Buffer.isBuffer(bytes)) return badRequest('schedule-message entry without message bytes');
          const stored = entity.add(decodeMessage(bytes), now, { detectDuplicates: false });
          if (stored) sequenceNumbers.push(stored.seq);
        }
        return { status: 200, body: { 'sequence-numbers': sequenceNumbers } };
      }
      case 'com.microsoft:cancel-scheduled-message': {
        for (const value of asArray(body['sequence-numbers'])) {
          const seq = asNumber(value);
          if (seq !== undefined && !entity.cancelScheduled(seq)) this.log(`no scheduled message #${seq}`);
        }
        return { status: 200 };
      }
      case 'com.microsoft:update-disposition':
        return this.updateDisposition(entity, body, now);
      default:
        return {
          status: 501,
          error: {
            condition: 'amqp:not-implemented',
            description: `servicebus-peer does not support ${String(operation)}`,
          },
        };
    }
  }

  /** Settlement through $management, used by the SDK when the receiving link is gone. */
  private updateDisposition(entity: Entity, body: Record<string, unknown>, now: number): ManagementResponse {
    const status = asString(body['disposition-status']);
    const properties = isRecord(body['properties-to-modify']) ? body['properties-to-modify'] : {};
    for (const token of asArray(body['lock-tokens'])) {
      const lockToken = lockTokenFromUuid(token);
      if (lockToken === undefined) return badRequest('invalid lock token');
      let result: SettleResult;
      if (status === 'completed') result = entity.complete(lockToken, now);
      else if (status === 'abandoned') result = entity.abandon(lockToken, now, properties);
      else if (status === 'suspended') {
        result = entity.deadLetter(lockToken, now, {
          reason: asString(body['deadletter-reason']),
          description: asString(body['deadletter-description']),
          properties,
        });
      } else {
        return {
          status: 501,
          error: {
            condition: 'amqp:not-implemented',
            description: `disposition ${String(status)} not supported`,
          },
        };
      }
      if (result === 'lock-lost') return { status: 410, error: LOCK_LOST };
      if (result === 'not-allowed') return badRequest('Cannot dead-letter a dead-lettered message.');
    }
    return { status: 200 };
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

type ParsedAddress =
  | { kind: 'cbs' }
  | { kind: 'management'; queue: string; deadLetter: boolean }
  | { kind: 'entity'; queue: string; deadLetter: boolean }
  | { kind: 'reply' };

/** `queue`, `queue/$DeadLetterQueue`, `queue/$management`, `$cbs`; anything else is a reply address. */
function parseAddress(raw: string): ParsedAddress {
  // Tolerate full addresses such as amqp://host/queue.
  const address = raw.replace(/^[a-z]+:\/\/[^/]+\//i, '').replace(/^\//, '');
  if (address === '$cbs') return { kind: 'cbs' };
  const management = /\/\$management$/i.test(address);
  const path = management ? address.replace(/\/\$management$/i, '') : address;
  const deadLetter = /\/\$deadletterqueue$/i.test(path);
  const queue = deadLetter ? path.replace(/\/\$deadletterqueue$/i, '') : path;
  if (management) return { kind: 'management', queue, deadLetter };
  // Reply addresses of the SDK's request/response links are GUIDs on links whose source is $cbs or
  // $management, so they never reach here as an entity; a plain name is a queue.
  if (queue === '' || queue.startsWith('$')) return { kind: 'reply' };
  return { kind: 'entity', queue, deadLetter };
}

function terminusAddress(terminus: unknown): string | undefined {
  return isRecord(terminus) ? asString(terminus['address']) : undefined;
}

function hasSessionFilter(source: unknown): boolean {
  const filter = isRecord(source) ? source['filter'] : undefined;
  return isRecord(filter) && 'com.microsoft:session-filter' in filter;
}

function messageFields(message: unknown): AmqpMessage {
  return isRecord(message) ? { ...message } : {};
}

/** A single message (format 0, decoded by rhea) or a batch (decoded here: rhea passes it through raw). */
function unpackMessages(payload: unknown, format: number): AmqpMessage[] {
  if (format === 0) return [messageFields(payload)];
  if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(payload)) {
    throw new Error(`unsupported message format ${format}`);
  }
  const body = decodeMessage(payload)['body'];
  // rhea decodes data sections as { typecode: 0x75, content }; several sections give an array.
  const content = isRecord(body) && body['typecode'] === 0x75 ? body['content'] : undefined;
  return asArray(content).map((bytes) => {
    if (!Buffer.isBuffer(bytes)) throw new Error('batch section is not binary');
    return decodeMessage(bytes);
  });
}

function lockTagless(): Buffer {
  // Receive-and-delete deliveries carry no lock, but the SDK still reads the tag as a GUID.
  return randomBytes(16);
}

function badRequest(description: string): ManagementResponse {
  return { status: 400, error: { condition: 'amqp:invalid-field', description } };
}

function describe(context: rhea.EventContext): string {
  const error: unknown =
    context.sender?.error ?? context.receiver?.error ?? context.session?.error ?? context.connection.error;
  return isRecord(error) ? `${String(error['condition'])}: ${String(error['description'])}` : String(error);
}

function definedOnly(options: Partial<PeerQueueOptions> | undefined): Partial<PeerQueueOptions> {
  const result: Partial<PeerQueueOptions> = {};
  if (options?.maxDeliveryCount !== undefined) result.maxDeliveryCount = options.maxDeliveryCount;
  if (options?.lockDurationMs !== undefined) result.lockDurationMs = options.lockDurationMs;
  if (options?.duplicateDetectionWindowMs !== undefined) {
    result.duplicateDetectionWindowMs = options.duplicateDetectionWindowMs;
  }
  return result;
}

function validateOptions(options: PeerQueueOptions): PeerQueueOptions {
  if (!Number.isInteger(options.maxDeliveryCount) || options.maxDeliveryCount < 1) {
    throw new Error(`maxDeliveryCount must be a positive integer, got ${options.maxDeliveryCount}`);
  }
  if (!(options.lockDurationMs > 0))
    throw new Error(`lockDurationMs must be > 0, got ${options.lockDurationMs}`);
  if (!(options.duplicateDetectionWindowMs >= 0)) {
    throw new Error(`duplicateDetectionWindowMs must be >= 0, got ${options.duplicateDetectionWindowMs}`);
  }
  return options;
}
