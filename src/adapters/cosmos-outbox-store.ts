// OutboxStore on the Cosmos DB `reports` container (partition key /tenantId), where outbox docs live next
// to their reports. Marks and failures are single-document patches; the sweeper's query spans tenants.
// A failure record adds `nextAttemptAt` to the doc (not a field of the domain type: only this store and
// its query read it).
import type { Container, PatchOperation, SqlQuerySpec } from '@azure/cosmos';
import type { OutboxDocument } from '../domain/report';
import type { OutboxBacklog, OutboxStore } from '../services/ports';
import { cosmosError, withTranslatedErrors } from './sdk-errors';

const SYSTEM_PROPERTIES = ['_rid', '_self', '_ts', '_attachments', '_etag'] as const;

/** A copy of the stored document without Cosmos system properties. */
function clean(resource: OutboxDocument): OutboxDocument {
  const copy: Record<string, unknown> = { ...resource };
  for (const key of SYSTEM_PROPERTIES) delete copy[key];
  return copy as unknown as OutboxDocument;
}

// Checked against the local Cosmos server too: it accepts IS_DEFINED, NOT IS_DEFINED, IS_NULL, TOP with a
// parameter, string comparisons and a cross-partition ORDER BY. No tenant filter on purpose: the sweeper
// looks at every tenant. A doc whose retry is not due yet (nextAttemptAt in the future) is left out, so a
// doc that keeps failing does not take a place in every sweep ahead of newer ones.
const UNDISPATCHED_QUERY =
  "SELECT TOP @limit * FROM c WHERE c.kind = 'outbox' " +
  'AND (NOT IS_DEFINED(c.dispatchedAt) OR IS_NULL(c.dispatchedAt)) ' +
  'AND c.createdAt <= @olderThan ' +
  'AND (NOT IS_DEFINED(c.nextAttemptAt) OR IS_NULL(c.nextAttemptAt) OR c.nextAttemptAt <= @now) ' +
  'ORDER BY c.createdAt ASC';

// Every undispatched doc, waiting for its retry or not: how far behind the relay is.
const OLDEST_UNDISPATCHED_QUERY =
  "SELECT TOP 1 c.createdAt FROM c WHERE c.kind = 'outbox' " +
  'AND (NOT IS_DEFINED(c.dispatchedAt) OR IS_NULL(c.dispatchedAt)) ORDER BY c.createdAt ASC';

export function createCosmosOutboxStore(container: Container): OutboxStore & OutboxBacklog {
  async function patch(doc: OutboxDocument, operations: PatchOperation[]): Promise<void> {
    await container.item(doc.id, doc.tenantId).patch(operations);
  }

  return withTranslatedErrors(
    {
      async markDispatched(doc: OutboxDocument, dispatchedAt: string, ttlSeconds: number): Promise<void> {
        await patch(doc, [
          { op: 'set', path: '/dispatchedAt', value: dispatchedAt },
          { op: 'set', path: '/ttl', value: ttlSeconds },
          { op: 'set', path: '/lastError', value: null },
        ]);
      },

      async recordFailure(doc: OutboxDocument, error: string, nextAttemptAt: string): Promise<void> {
        await patch(doc, [
          { op: 'incr', path: '/attempts', value: 1 },
          { op: 'set', path: '/lastError', value: error },
          { op: 'set', path: '/nextAttemptAt', value: nextAttemptAt },
        ]);
      },

      async findUndispatched(olderThan: Date, now: Date, limit: number): Promise<OutboxDocument[]> {
        if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
        const query: SqlQuerySpec = {
          query: UNDISPATCHED_QUERY,
          parameters: [
            { name: '@limit', value: limit },
            { name: '@olderThan', value: olderThan.toISOString() },
            { name: '@now', value: now.toISOString() },
          ],
        };
        const { resources } = await container.items.query<OutboxDocument>(query).fetchAll();
        return resources.map(clean);
      },

      async oldestUndispatchedAt(): Promise<string | null> {
        const { resources } = await container.items
          .query<{ createdAt: string }>(OLDEST_UNDISPATCHED_QUERY)
          .fetchAll();
        return resources[0]?.createdAt ?? null;
      },
    },
    cosmosError,
  );
}
