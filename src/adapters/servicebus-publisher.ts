// MessagePublisher on a Service Bus queue: one sender, created on first use and reused; messages go out
// in as many size-limited batches as they need. A call that needs several batches is all-or-nothing only
// up to duplicate detection: when a later batch fails, the caller re-sends them all and Service Bus
// drops the messageIds it already has. An error that means the namespace cannot be reached at all is
// thrown as BrokerUnavailableError (the original as its cause), so the caller does not try the messages
// one by one.
import {
  ServiceBusError,
  type ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusSender,
} from '@azure/service-bus';
import { BrokerUnavailableError } from '../domain/errors';
import type { MessagePublisher, OutboundMessage } from '../services/ports';
import { errorField, NETWORK_ERROR_CODES, translateSdkError } from './sdk-errors';

function toServiceBusMessage(message: OutboundMessage): ServiceBusMessage {
  return {
    messageId: message.messageId,
    correlationId: message.correlationId,
    subject: message.subject,
    applicationProperties: { ...message.applicationProperties },
    body: message.body,
    contentType: 'application/json',
    ...(message.scheduledEnqueueTimeUtc ? { scheduledEnqueueTimeUtc: message.scheduledEnqueueTimeUtc } : {}),
  };
}

/**
 * ServiceBusError codes (and the @azure/core-amqp MessagingError codes they come from) of a failure that
 * is not any one message's: the connection or the namespace is down, busy or timing out, or the queue
 * cannot be used at all. Every message of a call would fail the same way.
 */
const UNAVAILABLE_CODES = new Set([
  'ServiceCommunicationProblem',
  'ServiceBusy',
  'ServiceTimeout',
  'MessagingEntityNotFound',
  'MessagingEntityDisabled',
  'UnauthorizedAccess',
  'QuotaExceeded',
  'ServiceCommunicationError',
  'ServerBusyError',
  'OperationTimeoutError',
  'ServiceUnavailableError',
  'ConnectionForcedError',
  'ConnectionRedirectError',
  'MessagingEntityNotFoundError',
  'MessagingEntityDisabledError',
  'UnauthorizedError',
  'QuotaExceededError',
]);

/** The SDK keeps a socket error's code only as a prefix of the message ("ECONNREFUSED: connect ..."). */
const NETWORK_MESSAGE = /^(E[A-Z_]+):/;

/**
 * Whether a send failed because the broker could not be reached (connection, namespace or queue level)
 * rather than because of a message. Duck-typed on `code`, `syscall`, the message prefix the SDK gives
 * socket errors, an AggregateError's errors (all of them) and `cause`.
 */
export function isBrokerUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  if (error instanceof BrokerUnavailableError) return true;
  const code = errorField(error, 'code');
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || NETWORK_ERROR_CODES.has(code))) return true;
  // A Node.js system error (or an SDK error that copied its fields): a socket or DNS call failed.
  if (typeof errorField(error, 'syscall') === 'string') return true;
  const message = errorField(error, 'message');
  const prefix = typeof message === 'string' ? NETWORK_MESSAGE.exec(message)?.[1] : undefined;
  if (prefix && NETWORK_ERROR_CODES.has(prefix)) return true;
  const errors = errorField(error, 'errors');
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.every((inner: unknown) => isBrokerUnavailable(inner, depth + 1));
  }
  return isBrokerUnavailable(errorField(error, 'cause'), depth + 1);
}

/** A failed send as the app's error: BrokerUnavailableError, else the translation of any SDK error. */
function brokerError(error: unknown): unknown {
  if (error instanceof BrokerUnavailableError) return error;
  if (!isBrokerUnavailable(error)) {
    return translateSdkError(error, 'message broker', (e) => e instanceof ServiceBusError);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BrokerUnavailableError(`Service Bus unavailable: ${message}`, { cause: error });
}

export function createServiceBusPublisher(client: ServiceBusClient, queueName: string): MessagePublisher {
  let sender: ServiceBusSender | undefined;
  const senderFor = (): ServiceBusSender => (sender ??= client.createSender(queueName));

  async function send(messages: OutboundMessage[]): Promise<void> {
    const target = senderFor();
    let batch = await target.createMessageBatch();
    for (const message of messages) {
      const sbMessage = toServiceBusMessage(message);
      if (batch.tryAddMessage(sbMessage)) continue;
      if (batch.count > 0) {
        await target.sendMessages(batch);
        batch = await target.createMessageBatch();
      }
      if (!batch.tryAddMessage(sbMessage)) {
        throw new Error(
          `message ${message.messageId} does not fit in an empty Service Bus batch ` +
            `(max ${batch.maxSizeInBytes} bytes)`,
        );
      }
    }
    if (batch.count > 0) await target.sendMessages(batch);
  }

  return {
    async publish(messages: OutboundMessage[]): Promise<void> {
      if (messages.length === 0) return;
      try {
        await send(messages);
      } catch (error) {
        throw brokerError(error);
      }
    },
  };
}
