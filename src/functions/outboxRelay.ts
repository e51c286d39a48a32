import type { InvocationContext } from '@azure/functions';
import type { Services } from '../services';
import { isFirstAttempt } from '../services/outbox-relay';
import { defineCosmosDB } from './definition';

/**
 * Change feed of the reports container: makes the first attempt at relaying each new outbox document to
 * the report-requests queue and ignores report documents. Documents already attempted are left to the
 * outbox sweeper, which retries them with backoff: a failure record is itself a change, so relaying it
 * here again would retry every failed document at once, forever, while Service Bus is down.
 *
 * Failures: a document that could not be sent is not an error of the invocation (its failure is recorded
 * on it and the sweeper retries it). The handler throws only when the store could not be written (a
 * dispatch mark or a failure record was rejected) or the relay failed unexpectedly; then the `retry`
 * policy below re-runs the batch (a re-sent message is dropped by duplicate detection). A batch that
 * still fails after the retries is skipped by the trigger; the sweeper picks its documents up.
 */
export const makeOutboxRelay = ({ outbox }: Pick<Services, 'outbox'>) =>
  defineCosmosDB('outboxRelay', {
    connection: 'COSMOS',
    databaseName: '%COSMOS_DATABASE_NAME%',
    containerName: '%COSMOS_REPORTS_CONTAINER%',
    leaseContainerName: '%COSMOS_LEASES_CONTAINER%',
    createLeaseContainerIfNotExists: false,
    maxItemsPerInvocation: 100,
    retry: {
      strategy: 'exponentialBackoff',
      maxRetryCount: 5,
      minimumInterval: 2_000,
      maximumInterval: 60_000,
    },
    handler: async (documents: unknown[], context: InvocationContext) => {
      const fresh = documents.filter(isFirstAttempt);
      if (fresh.length === 0) return;
      const result = await outbox.relay(fresh);
      context.log(`outbox relay: sent ${result.sent}, skipped ${result.skipped}, failed ${result.failed}`);
      if (result.storeErrors > 0) {
        throw new Error(
          `outbox relay: ${result.storeErrors} of ${fresh.length} outbox documents could not be updated ` +
            `in the store (${result.storeError ?? 'unknown error'}); the batch is run again`,
        );
      }
    },
  });
