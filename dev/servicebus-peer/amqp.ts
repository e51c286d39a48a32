// Small AMQP helpers for the Service Bus peer: type guards for rhea's loosely typed values, lock-token
// (GUID) conversions, outcome constructors and access to the few rhea link internals the peer needs.
import { randomBytes } from 'node:crypto';
import * as rhea from 'rhea';

/** A message the way rhea decodes it: header, properties and sections flattened into one object. */
export type AmqpMessage = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** AMQP longs arrive as numbers, or as 8-byte buffers when they do not fit in a double. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value) && value.length === 8) return Number(value.readBigInt64BE(0));
  return undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  return undefined;
}

/** Decodes an AMQP-encoded message (rhea returns a class instance; we only want its fields). */
export function decodeMessage(bytes: Buffer): AmqpMessage {
  return { ...rhea.message.decode(bytes) };
}

export function encodeMessage(message: AmqpMessage): Buffer {
  return rhea.message.encode(message);
}

/**
 * The SDK turns the 16-byte delivery tag into a lock token with .NET GUID byte order: the first three
 * groups are byte-swapped. It sends that token back (as an AMQP uuid) in renew-lock / update-disposition.
 * The swap is its own inverse.
 */
function reorderGuidBytes(bytes: Buffer): Buffer {
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((i) => bytes[i] ?? 0));
}

/** A fresh delivery tag and the lock token string the SDK will derive from it. */
export function newLockTag(): { tag: Buffer; lockToken: string } {
  const tag = randomBytes(16);
  return { tag, lockToken: rhea.uuid_to_string(reorderGuidBytes(tag)) };
}

/** The lock token string for a uuid the SDK sent in a management request. */
export function lockTokenFromUuid(value: unknown): string | undefined {
  if (Buffer.isBuffer(value) && value.length === 16) return rhea.uuid_to_string(value);
  if (typeof value === 'string') return value.toLowerCase();
  return undefined;
}

/** The string used for duplicate detection (message ids may be strings, numbers or uuids). */
export function messageIdKey(id: unknown): string | undefined {
  if (typeof id === 'string') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  if (Buffer.isBuffer(id)) return id.length === 16 ? rhea.uuid_to_string(id) : id.toString('hex');
  return undefined;
}

export interface AmqpErrorFields {
  condition: string;
  description: string;
}

type Outcome = { described(): unknown };
interface OutcomeFactory {
  accepted(): Outcome;
  rejected(fields: { error?: AmqpErrorFields }): Outcome;
  modified(fields: { delivery_failed?: boolean; undeliverable_here?: boolean }): Outcome;
  released(): Outcome;
}

function isOutcomeFactory(value: unknown): value is OutcomeFactory {
  return (
    isRecord(value) &&
    ['accepted', 'rejected', 'modified', 'released'].every((name) => typeof value[name] === 'function')
  );
}

// rhea defines the outcome constructors at runtime (message.accepted(), message.rejected(), ...) but its
// typings do not declare them.
const outcomeFactory: unknown = rhea.message;
if (!isOutcomeFactory(outcomeFactory)) throw new Error('rhea.message has no outcome constructors');
const outcomes: OutcomeFactory = outcomeFactory;

/** The state we settle a successful disposition with: the outcome the client chose, without an error. */
export function successOutcome(kind: 'accepted' | 'rejected' | 'modified' | 'released'): unknown {
  switch (kind) {
    case 'accepted':
      return outcomes.accepted().described();
    case 'rejected':
      return outcomes.rejected({}).described();
    case 'modified':
      return outcomes.modified({ delivery_failed: true }).described();
    case 'released':
      return outcomes.released().described();
  }
}

/** A failed disposition: the SDK turns the error condition into a ServiceBusError (e.g. MessageLockLost). */
export function rejectedOutcome(error: AmqpErrorFields): unknown {
  return outcomes.rejected({ error }).described();
}

/** The outcome a receiver reported for one of our deliveries. */
export type RemoteOutcome =
  | { kind: 'accepted' }
  | { kind: 'rejected'; info: Record<string, unknown> }
  | { kind: 'modified'; undeliverableHere: boolean; annotations: Record<string, unknown> }
  | { kind: 'released' }
  | { kind: 'unknown' };

/** rhea turns a remote outcome into an instance whose constructor carries `composite_type`. */
export function readRemoteOutcome(state: unknown): RemoteOutcome {
  if (!isRecord(state)) return { kind: 'unknown' };
  const ctor: unknown = state.constructor;
  const type = typeof ctor === 'function' && 'composite_type' in ctor ? ctor.composite_type : undefined;
  switch (type) {
    case 'accepted':
      return { kind: 'accepted' };
    case 'released':
      return { kind: 'released' };
    case 'rejected': {
      const error = state['error'];
      const info = isRecord(error) && isRecord(error['info']) ? error['info'] : {};
      return { kind: 'rejected', info };
    }
    case 'modified': {
      const annotations = state['message_annotations'];
      return {
        kind: 'modified',
        undeliverableHere: state['undeliverable_here'] === true,
        annotations: isRecord(annotations) ? annotations : {},
      };
    }
    default:
      return { kind: 'unknown' };
  }
}

/** The few rhea link internals the peer touches (not part of rhea's typings). */
interface LinkInternals {
  local: { attach: Record<string, unknown> };
  credit: number;
  delivery_count: number;
  _draining?: boolean;
  _drained?: boolean;
  _get_drain: () => boolean;
}

function internals(link: rhea.link): LinkInternals {
  const candidate: unknown = link;
  if (
    isRecord(candidate) &&
    isRecord(candidate['local']) &&
    isRecord(candidate['local']['attach']) &&
    typeof candidate['credit'] === 'number' &&
    typeof candidate['delivery_count'] === 'number'
  ) {
    return candidate as unknown as LinkInternals;
  }
  throw new Error('unexpected rhea link shape');
}

/**
 * Sets fields of the attach frame we send back (settle modes, max message size). rhea answers a remote
 * attach with defaults; the handlers run before that frame is written, so changes here are sent.
 */
export function setLocalAttachFields(link: rhea.link, fields: Record<string, unknown>): void {
  Object.assign(internals(link).local.attach, fields);
}

/**
 * How many more deliveries the receiver allows. rhea keeps `delivery_count + credit` equal to the
 * receiver's limit (it only moves credit into delivery_count when frames are written), so we count our
 * own sends against that limit to know the credit left before rhea has flushed anything.
 */
export function creditLimit(link: rhea.Sender): number {
  const l = internals(link);
  return l.delivery_count + l.credit;
}

/**
 * rhea only echoes `drain=true` when some credit is left; AMQP requires the echo regardless and the SDK
 * closes its receiver if it never sees it. This makes the echo unconditional (consuming any credit left).
 */
export function makeDrainAlwaysEcho(link: rhea.Sender): void {
  const l = internals(link);
  l._get_drain = function getDrain(this: LinkInternals): boolean {
    if (!this._draining || !this._drained) return false;
    this.delivery_count += this.credit;
    this.credit = 0;
    return true;
  };
}
