import type { Services } from '../services';
import { defineServiceBusQueue } from './definition';

/**
 * The report-events queue: a `ReportEvent` is delivered to each endpoint of its tenant that asked for its
 * type, a `WebhookRetry` is one more attempt of one delivery. Throws only when the message should be
 * delivered again (a dependency failed) or given up to the dead-letter queue (its last attempt failed).
 */
export const makeWebhookDelivery = ({ webhooks, queues }: Pick<Services, 'webhooks' | 'queues'>) =>
  defineServiceBusQueue(
    'webhookDelivery',
    {
      connection: 'SERVICEBUS',
      queueName: '%SERVICEBUS_REPORT_EVENTS_QUEUE%',
      handler: async (message, context) => {
        const outcomes = await webhooks.handle(message);
        context.log(`report event ${context.triggerMetadata?.messageId as string}: ${outcomes.join(', ')}`);
      },
    },
    // While a dependency is down, a held event goes back as a new message: it is never dead-lettered.
    { putBack: queues.reportEvents },
  );
