// ChunkStore on the Cosmos DB `reports` container: a chunked export's chunk documents live in their
// report's partition (/tenantId), beside the report and its outbox messages. The reads of a plan's
// chunks (how many are Done, the live tally, the results for the commit) are queries within that one
// partition that project only the fields they need.
import type { Container, SqlQuerySpec } from '@azure/cosmos';
import type { ChunkActivity, ChunkDocument, ChunkResult, ChunkTally, ChunkTurn } from '../domain/chunks';
import { forEachLimited } from '../services/concurrency';
import type { ChunkStore, Stored } from '../services/ports';
import { cosmosError, withTranslatedErrors } from './sdk-errors';
import { asJson, readDocument, replaceIfMatch, statusOf, stored } from './cosmos-documents';

/** Chunk documents created at once (requests in flight). */
const CREATE_CONCURRENCY = 8;

/** The chunks of one plan of one report, within the tenant's partition, with `extra` conditions. */
function planQuery(
  select: string,
  tenantId: string,
  reportId: string,
  planId: number,
  extra = '',
): SqlQuerySpec {
  return {
    query:
      `SELECT ${select} FROM c WHERE c.tenantId = @tenantId AND c.kind = 'chunk' ` +
      `AND c.reportId = @reportId AND c.planId = @planId${extra}`,
    parameters: [
      { name: '@tenantId', value: tenantId },
      { name: '@reportId', value: reportId },
      { name: '@planId', value: planId },
    ],
  };
}

export function createCosmosChunkStore(container: Container): ChunkStore {
  const all = async <T>(query: SqlQuerySpec, tenantId: string): Promise<T[]> =>
    (await container.items.query<T>(query, { partitionKey: tenantId }).fetchAll()).resources;

  const store: ChunkStore = {
    async createMissing(chunks: readonly ChunkDocument[]): Promise<void> {
      await forEachLimited(chunks, CREATE_CONCURRENCY, async (chunk) => {
        try {
          await container.items.create(asJson(chunk));
        } catch (error) {
          if (statusOf(error) !== 409) throw error;
        }
      });
    },

    get(tenantId: string, chunkId: string): Promise<Stored<ChunkDocument> | undefined> {
      return readDocument<ChunkDocument>(
        container,
        chunkId,
        tenantId,
        (resource) => resource.kind === 'chunk' && resource.tenantId === tenantId,
      );
    },

    replace(chunk: ChunkDocument, etag: string): Promise<Stored<ChunkDocument> | 'conflict'> {
      return replaceIfMatch(container, chunk, chunk.tenantId, etag);
    },

    async findExpiredLeases(now: Date, limit: number): Promise<Stored<ChunkDocument>[]> {
      const { resources } = await container.items
        .query<ChunkDocument & { _etag?: string }>({
          query:
            "SELECT TOP @limit * FROM c WHERE c.kind = 'chunk' AND c.status = 'Processing' " +
            'AND IS_STRING(c.leaseExpiresAt) AND c.leaseExpiresAt < @now ORDER BY c.leaseExpiresAt',
          parameters: [
            { name: '@limit', value: limit },
            { name: '@now', value: now.toISOString() },
          ],
        })
        .fetchAll();
      return resources.map((resource) => stored<ChunkDocument>(resource, undefined));
    },

    async countDone(tenantId: string, reportId: string, planId: number): Promise<number> {
      const counts = await all<number>(
        planQuery('VALUE COUNT(1)', tenantId, reportId, planId, " AND c.status = 'Done'"),
        tenantId,
      );
      return counts.reduce((sum, count) => sum + count, 0);
    },

    async notDone(tenantId: string, reportId: string, planId: number, limit: number): Promise<ChunkTurn[]> {
      const query = planQuery(
        'TOP @limit c["index"] AS chunk, c.status AS status',
        tenantId,
        reportId,
        planId,
        ` AND c.status != 'Done' ORDER BY c["index"]`,
      );
      query.parameters = [...(query.parameters ?? []), { name: '@limit', value: limit }];
      const rows = await all<{ chunk: number; status: ChunkTurn['status'] }>(query, tenantId);
      return rows.map((row) => ({ index: row.chunk, status: row.status }));
    },

    async activity(tenantId: string, reportId: string, planId: number, now: Date): Promise<ChunkActivity> {
      const rows = await all<{ ts?: number; status: string; lease?: string | null }>(
        planQuery('c._ts AS ts, c.status AS status, c.leaseExpiresAt AS lease', tenantId, reportId, planId),
        tenantId,
      );
      const at = now.toISOString();
      return {
        lastWriteMs: Math.max(0, ...rows.map((row) => (row.ts ?? 0) * 1000)),
        running: rows.filter(
          (row) => row.status === 'Processing' && typeof row.lease === 'string' && row.lease > at,
        ).length,
      };
    },

    async tally(tenantId: string, reportId: string, planId: number): Promise<ChunkTally> {
      const rows = await all<{ status: string; processedRows?: number }>(
        planQuery('c.status, c.processedRows', tenantId, reportId, planId),
        tenantId,
      );
      const tally: ChunkTally = { done: 0, rows: 0 };
      for (const row of rows) {
        if (row.status === 'Done') tally.done++;
        tally.rows += row.processedRows ?? 0;
      }
      return tally;
    },

    async results(tenantId: string, reportId: string, planId: number): Promise<Map<number, ChunkResult>> {
      const rows = await all<{ chunk: number; result?: ChunkResult | null }>(
        planQuery(
          'c["index"] AS chunk, c.result AS result',
          tenantId,
          reportId,
          planId,
          " AND c.status = 'Done'",
        ),
        tenantId,
      );
      const results = new Map<number, ChunkResult>();
      for (const row of rows) if (row.result) results.set(row.chunk, row.result);
      return results;
    },
  };
  return withTranslatedErrors(store, cosmosError);
}
