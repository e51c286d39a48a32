// An in-memory ChunkStore for unit tests: etags change on every write, like Cosmos DB's. It passes the
// same contract as the Cosmos adapter (test/contracts/chunk-store.contract.ts).
import type {
  ChunkActivity,
  ChunkDocument,
  ChunkResult,
  ChunkTally,
  ChunkTurn,
} from '../../src/domain/chunks';
import { DependencyError } from '../../src/domain/errors';
import type { ChunkStore, Stored } from '../../src/services/ports';

export class MemoryChunkStore implements ChunkStore {
  readonly #docs = new Map<string, Stored<ChunkDocument>>();
  /** When each chunk was last written (ms), as Cosmos DB's `_ts`. */
  readonly #written = new Map<string, number>();
  #version = 0;
  /** The clock that stamps each write (a test on virtual time sets its own). */
  clock: () => number = Date.now;

  createMissing(chunks: readonly ChunkDocument[]): Promise<void> {
    for (const chunk of chunks) {
      const key = `${chunk.tenantId}/${chunk.id}`;
      if (!this.#docs.has(key)) {
        this.#docs.set(key, { doc: structuredClone(chunk), etag: `e${++this.#version}` });
        this.#written.set(key, this.clock());
      }
    }
    return Promise.resolve();
  }

  get(tenantId: string, chunkId: string): Promise<Stored<ChunkDocument> | undefined> {
    const found = this.#docs.get(`${tenantId}/${chunkId}`);
    return Promise.resolve(found && structuredClone(found));
  }

  replace(chunk: ChunkDocument, etag: string): Promise<Stored<ChunkDocument> | 'conflict'> {
    const key = `${chunk.tenantId}/${chunk.id}`;
    const current = this.#docs.get(key);
    // Cosmos answers 404 for a replace of a document that is not there (the adapter throws it).
    if (!current) return Promise.reject(new DependencyError('database', 404));
    if (current.etag !== etag) return Promise.resolve('conflict');
    const next = { doc: structuredClone(chunk), etag: `e${++this.#version}` };
    this.#docs.set(key, next);
    this.#written.set(key, this.clock());
    return Promise.resolve(structuredClone(next));
  }

  findExpiredLeases(now: Date, limit: number): Promise<Stored<ChunkDocument>[]> {
    const expired = [...this.#docs.values()]
      .filter(
        ({ doc }) =>
          doc.status === 'Processing' &&
          typeof doc.leaseExpiresAt === 'string' &&
          doc.leaseExpiresAt < now.toISOString(),
      )
      .sort((a, b) => String(a.doc.leaseExpiresAt).localeCompare(String(b.doc.leaseExpiresAt)))
      .slice(0, limit);
    return Promise.resolve(structuredClone(expired));
  }

  #ofPlan(tenantId: string, reportId: string, planId: number): ChunkDocument[] {
    return [...this.#docs.values()]
      .map(({ doc }) => doc)
      .filter((doc) => doc.tenantId === tenantId && doc.reportId === reportId && doc.planId === planId);
  }

  countDone(tenantId: string, reportId: string, planId: number): Promise<number> {
    return Promise.resolve(
      this.#ofPlan(tenantId, reportId, planId).filter((doc) => doc.status === 'Done').length,
    );
  }

  notDone(tenantId: string, reportId: string, planId: number, limit: number): Promise<ChunkTurn[]> {
    return Promise.resolve(
      this.#ofPlan(tenantId, reportId, planId)
        .flatMap((doc) => (doc.status === 'Done' ? [] : [{ index: doc.index, status: doc.status }]))
        .sort((a, b) => a.index - b.index)
        .slice(0, limit),
    );
  }

  activity(tenantId: string, reportId: string, planId: number, now: Date): Promise<ChunkActivity> {
    const docs = this.#ofPlan(tenantId, reportId, planId);
    const at = now.toISOString();
    return Promise.resolve({
      lastWriteMs: Math.max(0, ...docs.map((doc) => this.#written.get(`${doc.tenantId}/${doc.id}`) ?? 0)),
      running: docs.filter(
        (doc) =>
          doc.status === 'Processing' && typeof doc.leaseExpiresAt === 'string' && doc.leaseExpiresAt > at,
      ).length,
    });
  }

  tally(tenantId: string, reportId: string, planId: number): Promise<ChunkTally> {
    const tally: ChunkTally = { done: 0, rows: 0 };
    for (const doc of this.#ofPlan(tenantId, reportId, planId)) {
      if (doc.status === 'Done') tally.done++;
      tally.rows += doc.processedRows;
    }
    return Promise.resolve(tally);
  }

  results(tenantId: string, reportId: string, planId: number): Promise<Map<number, ChunkResult>> {
    const results = new Map<number, ChunkResult>();
    for (const doc of this.#ofPlan(tenantId, reportId, planId))
      if (doc.status === 'Done' && doc.result) results.set(doc.index, structuredClone(doc.result));
    return Promise.resolve(results);
  }

  all(): ChunkDocument[] {
    return [...this.#docs.values()].map(({ doc }) => structuredClone(doc)).sort((a, b) => a.index - b.index);
  }
}
