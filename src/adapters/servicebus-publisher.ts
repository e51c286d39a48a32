// MessagePublisher on a Service Bus queue: one sender, created on first use and reused; messages go out
// in as many size-limited batches as they need. A call that needs several batches is all-or-nothing only
// up to duplicate detection: when a later batch fails, the caller re-sends them all and Service Bus
// drops the messageIds it already has.
import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import type { MessagePublisher, OutboundMessage } from '../services/ports';

export type ServiceBusPublisher = MessagePublisher & { close(): Promise<void> };

export function toServiceBusMessage(message: OutboundMessage): ServiceBusMessage {
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

export function createServiceBusPublisher(client: ServiceBusClient, queueName: string): ServiceBusPublisher {
  let sender: ServiceBusSender | undefined;
  const senderFor = (): ServiceBusSender => (sender ??= client.createSender(queueName));

  return {
    async publish(messages: OutboundMessage[]): Promise<void> {
      if (messages.length === 0) return;
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
    },

    async close(): Promise<void> {
      const current = sender;
      sender = undefined;
      await current?.close();
    },
  };
}
