import type { Services } from '../services';
import { recordOutboxOldestAge } from '../telemetry/metrics';
import { defineTimer } from './definition';

/**
 * The safety net under the change feed, and the only path that retries: every minute, relays outbox
 * documents still undispatched after the grace period (OUTBOX_SWEEP_GRACE_SECONDS) whose retry is due
 * (a failed one waits twice as long after each failure, up to OUTBOX_RETRY_MAX_SECONDS). Service Bus
 * duplicate detection drops what the change feed sent too.
 */
export const makeOutboxSweeper = ({ outbox }: Pick<Services, 'outbox'>) =>
  defineTimer('outboxSweeper', {
    schedule: '0 */1 * * * *',
    handler: async (_timer, context) => {
      const result = await outbox.sweep();
      // What is still undispatched after the sweep: the relay's backlog (alerted on past 5 minutes).
      recordOutboxOldestAge((await outbox.oldestUndispatchedAgeMs()) / 1000);
      const oldest = result.oldestAgeMs === null ? 'none' : `${Math.round(result.oldestAgeMs / 1000)} s`;
      const unrecorded =
        result.storeErrors > 0
          ? `; ${result.storeErrors} not updated in the store (${result.storeError})`
          : '';
      // A sweep that found nothing to do (the usual case, every minute) is a debug line, not news.
      const line = `outbox sweep: relayed ${result.sent}, failed ${result.failed}, skipped ${result.skipped}; oldest ${oldest}${unrecorded}`;
      if (result.sent + result.failed + result.storeErrors > 0) context.log(line);
      else context.debug(line);
    },
  });
