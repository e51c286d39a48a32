import type { Services } from '../services';
import { defineTimer } from './definition';

/**
 * Every 10 seconds: reports and chunks whose worker stopped renewing its lease (a crash, a recycled
 * instance) go back to the queue through the outbox, until WORKER_MAX_ATTEMPTS, then Failed. With the
 * 15 s lease, work lost to a crash runs again within about 30 s (lease + sweep + relay). A sweep is two
 * indexed queries (`TOP 100` lapsed reports and chunks) that usually find nothing.
 */
export const makeExportWatchdog = ({ exportWorker }: Pick<Services, 'exportWorker'>) =>
  defineTimer('exportWatchdog', {
    schedule: '*/10 * * * * *',
    handler: async (_timer, context) => {
      const result = await exportWorker.sweepExpiredLeases(context);
      if (result.requeued + result.failed + result.cancelled > 0) {
        context.log(
          `export watchdog: re-queued ${result.requeued}, failed ${result.failed}, cancelled ${result.cancelled}`,
        );
      }
    },
  });
