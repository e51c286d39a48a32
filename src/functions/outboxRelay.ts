import type { InvocationContext } from '@azure/functions';
import { getServices } from '../composition';
import type { OutboxDocument } from '../domain/report';
import { defineCosmosDB } from './definition';

const isOutbox = (doc: unknown): doc is OutboxDocument =>
  typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === 'outbox';

/**
 * Change feed of the reports container: relays new outbox documents to the report-requests queue and
 * ignores report documents. A batch that still fails after the retries is skipped by the trigger; the
 * outbox sweeper picks its documents up.
 */
export const outboxRelay = defineCosmosDB('outboxRelay', {
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
    const outbox = documents.filter(isOutbox).filter((doc) => !doc.dispatchedAt);
    if (outbox.length === 0) return;
    const result = await getServices().outbox.relay(outbox);
    context.log(`outbox relay: sent ${result.sent}, skipped ${result.skipped}, failed ${result.failed}`);
  },
});
