import type { Services } from '../composition';
import { defineTimer } from './definition';

/**
 * Every minute: reports stuck in Processing whose worker stopped renewing its lease (a crash, a
 * recycled instance) go back to the queue through the outbox, until WORKER_MAX_ATTEMPTS, then Failed.
 */
export const makeExportWatchdog = ({ exports }: Pick<Services, 'exports'>) =>
  defineTimer('exportWatchdog', {
    schedule: '30 */1 * * * *',
    handler: async (_timer, context) => {
      const result = await exports.sweepExpiredLeases(context);
      if (result.requeued + result.failed + result.cancelled > 0) {
        context.log(
          `export watchdog: re-queued ${result.requeued}, failed ${result.failed}, cancelled ${result.cancelled}`,
        );
      }
    },
  });
