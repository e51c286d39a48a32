// Service Bus queue triggers through the real @azure/service-bus receiver in peek-lock mode: the message
// body is the function's input, completed when the handler succeeds and abandoned when it throws (so
// the broker redelivers it and, past maxDeliveryCount, dead-letters it), at most `maxConcurrentCalls`
// at a time with automatic lock renewal, as host.json says.
import type { ServiceBusQueueFunctionOptions } from '@azure/functions';
import type { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';
import { invoke, type HostLog } from './invoke';

export interface QueueFunction {
  name: string;
  options: ServiceBusQueueFunctionOptions;
}

export interface QueueTriggerSettings {
  queueName: string;
  maxConcurrentCalls: number;
  autoCompleteMessages: boolean;
  maxAutoLockRenewalDurationMs: number;
}

export interface RunningQueueTrigger {
  stop(): Promise<void>;
}

/** What the Functions host puts in `context.triggerMetadata` for a Service Bus message. */
function serviceBusTriggerMetadata(message: ServiceBusReceivedMessage): Record<string, unknown> {
  return {
    messageId: message.messageId,
    correlationId: message.correlationId,
    contentType: message.contentType,
    subject: message.subject,
    label: message.subject,
    // Service Bus counts deliveries from 1; the AMQP header it sends (and the JS SDK passes on) counts the
    // earlier ones from 0. The Functions host reports Service Bus's count, so the first delivery is 1.
    deliveryCount: (message.deliveryCount ?? 0) + 1,
    enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    lockedUntilUtc: message.lockedUntilUtc?.toISOString(),
    sequenceNumber: message.sequenceNumber?.toNumber(),
    lockToken: message.lockToken,
    applicationProperties: message.applicationProperties ?? {},
    userProperties: message.applicationProperties ?? {},
  };
}

export function startQueueTrigger(
  fn: QueueFunction,
  client: ServiceBusClient,
  settings: QueueTriggerSettings,
  log: HostLog,
): RunningQueueTrigger {
  if (fn.options.isSessionsEnabled)
    throw new Error(`${fn.name}: session-enabled queues are not supported locally`);
  if (fn.options.cardinality === 'many')
    throw new Error(`${fn.name}: cardinality 'many' is not supported locally`);
  const receiver = client.createReceiver(settings.queueName, {
    receiveMode: 'peekLock',
    maxAutoLockRenewalDurationInMs: settings.maxAutoLockRenewalDurationMs,
  });
  const autoComplete = fn.options.autoCompleteMessages ?? settings.autoCompleteMessages;
  let lastError = '';
  const subscription = receiver.subscribe(
    {
      processMessage: async (message) => {
        lastError = '';
        try {
          await invoke(log, fn.name, { triggerMetadata: serviceBusTriggerMetadata(message) }, (context) =>
            Promise.resolve(fn.options.handler(message.body, context)),
          );
        } catch {
          if (autoComplete) await receiver.abandonMessage(message);
          return;
        }
        if (autoComplete) await receiver.completeMessage(message);
      },
      processError: async ({ error }) => {
        // The receiver retries on its own; say so once per distinct error rather than on every retry.
        if (error.message !== lastError) {
          lastError = error.message;
          log(`${fn.name}: receiver error on '${settings.queueName}' (retrying): ${error.message}`);
        }
        return Promise.resolve();
      },
    },
    { autoCompleteMessages: false, maxConcurrentCalls: settings.maxConcurrentCalls },
  );
  return {
    async stop() {
      await subscription.close();
      await receiver.close();
    },
  };
}
