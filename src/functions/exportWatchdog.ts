import type { Services } from '../services';
import { countRedriven } from '../telemetry/metrics';
import { defineTimer } from './definition';

/**
 * Every 10 seconds: reports and chunks whose worker stopped renewing its lease (a crash, a recycled
 * instance) go back to the queue through the outbox, until WORKER_MAX_ATTEMPTS, then Failed. With the
 * 15 s lease, work lost to a crash runs again within about 30 s (lease + sweep + relay). Then work that
 * stopped moving with no claim (its message gone) is sent again, and a stalled chunked export with a
 * cancel asked for ends Cancelled. A sweep is three indexed queries (`TOP 100` lapsed reports, lapsed
 * chunks, stalled reports) that usually find nothing.
 */
export const makeExportWatchdog = ({ exportWorker }: Pick<Services, 'exportWorker'>) =>
  defineTimer('exportWatchdog', {
    schedule: '*/10 * * * * *',
    handler: async (_timer, context) => {
      const result = await exportWorker.sweepExpiredLeases(context);
      countRedriven(result.redriven);
      if (result.requeued + result.failed + result.cancelled + result.redriven > 0) {
        context.log(
          `export watchdog: re-queued ${result.requeued}, sent stalled work again ${result.redriven}, ` +
            `failed ${result.failed}, cancelled ${result.cancelled}`,
        );
      }
    },
  });
