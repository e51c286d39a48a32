import type { Services } from '../services';
import { inExportSpan } from '../telemetry/tracing';
import { defineServiceBusQueue } from './definition';

/**
 * Runs one export per `ExportRequested` message of the report-requests queue (at most host.json's
 * `maxConcurrentCalls` at once per instance). Returns normally for every outcome it settled itself
 * (the message is completed); throws only when the message should be delivered again.
 */
export const makeExportWorker = ({ exportWorker, queues }: Pick<Services, 'exportWorker' | 'queues'>) =>
  defineServiceBusQueue(
    'exportWorker',
    {
      connection: 'SERVICEBUS',
      queueName: '%SERVICEBUS_REPORT_REQUESTS_QUEUE%',
      handler: async (message, context) => {
        const properties = context.triggerMetadata?.applicationProperties as
          Record<string, unknown> | undefined;
        const outcome = await inExportSpan(message, properties, () => exportWorker.handle(message, context));
        context.log(`export request ${context.triggerMetadata?.messageId as string}: ${outcome}`);
      },
    },
    // While a dependency is down, a held request goes back as a new message: it is never dead-lettered.
    { putBack: queues.reportRequests },
  );
