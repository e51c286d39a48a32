import type { Services } from '../services';
import { countDeadLettered } from '../telemetry/metrics';
import { defineServiceBusQueue } from './definition';

/**
 * The report-requests dead-letter queue: a request the worker could not process within the queue's
 * maxDeliveryCount (or that expired) marks its report Failed with the dead-letter reason.
 */
export const makeExportDeadLetters = ({ exportWorker }: Pick<Services, 'exportWorker'>) =>
  defineServiceBusQueue('exportDeadLetters', {
    connection: 'SERVICEBUS',
    queueName: '%SERVICEBUS_REPORT_REQUESTS_QUEUE%/$DeadLetterQueue',
    handler: async (message, context) => {
      const metadata = context.triggerMetadata ?? {};
      const properties = (metadata.applicationProperties ?? {}) as Record<string, unknown>;
      countDeadLettered(
        typeof properties.DeadLetterReason === 'string' ? properties.DeadLetterReason : 'unknown',
      );
      const reason = [properties.DeadLetterReason, properties.DeadLetterErrorDescription]
        .filter((part): part is string => typeof part === 'string' && part !== '')
        .join(': ');
      const outcome = await exportWorker.deadLettered(
        message,
        properties,
        reason || 'unknown reason',
        context,
      );
      context.log(`dead-lettered request ${metadata.messageId as string}: ${outcome}`);
    },
  });
