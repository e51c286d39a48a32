// ChunkStore on the Cosmos DB `reports` container: a chunked export's chunk documents live in their
// report's partition (/tenantId), beside the report and its outbox messages.
import type { Container } from '@azure/cosmos';
import type { ChunkDocument } from '../domain/chunks';
import { forEachLimited } from '../services/concurrency';
import type { ChunkStore, Stored } from '../services/ports';
import { cosmosError, withTranslatedErrors } from './sdk-errors';
import { asJson, readDocument, replaceIfMatch, statusOf, stored } from './cosmos-documents';

/** Chunk documents created at once (requests in flight). */
const CREATE_CONCURRENCY = 8;

export function createCosmosChunkStore(container: Container): ChunkStore {
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
  };
  return withTranslatedErrors(store, cosmosError);
}
