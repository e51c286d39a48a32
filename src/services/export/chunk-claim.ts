// Chunked exports, claiming one chunk: the chunk document (created when missing) is taken with an
// etag-conditional write that sets a lease; the writes made while holding it (the heartbeat's renewal,
// Done, the release for a retry) go through `updateChunk`.
import { chunkDocumentId, newChunk, type ChunkDocument, type ChunkedExport } from '../../domain/chunks';
import { isLeaseAlive, type ReportDocument } from '../../domain/report';
import type { BlockFiles, ChunkStore } from '../ports';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { failChunked } from './chunked-end';
import type { ChunkRequest } from './messages';

interface ChunkDeps {
  chunks: ChunkStore;
  blocks: BlockFiles;
}

export function chunkDeps(ctx: WorkerContext): ChunkDeps {
  if (!ctx.chunkStore || !ctx.blocks) throw new Error('chunked exports need a chunk store and block files');
  return { chunks: ctx.chunkStore, blocks: ctx.blocks };
}

export const chunkTag = (request: ChunkRequest) =>
  `report ${request.reportId} chunk ${request.chunkIndex} (plan ${request.planId})`;

export async function claimChunk(
  ctx: WorkerContext,
  report: ReportDocument,
  plan: ChunkedExport,
  request: ChunkRequest,
  log: WorkerLog,
): Promise<ChunkDocument | WorkOutcome> {
  const { chunks } = chunkDeps(ctx);
  const id = chunkDocumentId(report.id, plan.planId, request.chunkIndex);
  return retryOnConflict(`${chunkTag(request)} claim`, async () => {
    const current = await chunks.get(report.tenantId, id);
    if (!current) {
      const slice = plan.slices[request.chunkIndex];
      if (!slice) return 'skipped-stale';
      await chunks.createMissing([newChunk(report, plan.planId, request.chunkIndex, slice, chunkTtl(ctx))]);
      return CONFLICT;
    }
    const chunk = current.doc;
    if (chunk.status === 'Done') return 'skipped-terminal';
    if (isLeaseAlive(chunk, ctx.now())) return 'skipped-claimed';
    if (chunk.attempts >= ctx.options.maxAttempts) {
      return failChunked(
        ctx,
        request,
        'AttemptsExhausted',
        `Part ${request.chunkIndex + 1} of the export was given up after ${chunk.attempts} attempts.`,
        log,
      );
    }
    const claimed = await chunks.replace(
      {
        ...chunk,
        status: 'Processing',
        attempts: chunk.attempts + 1,
        leaseOwner: ctx.newId(),
        leaseExpiresAt: ctx.leaseUntil(),
        processedRows: 0,
      },
      current.etag,
    );
    return claimed === 'conflict' ? CONFLICT : claimed.doc;
  });
}

/** Chunk documents outlive any export: they are dropped after the report's retention. */
export const chunkTtl = (ctx: WorkerContext): number => ctx.options.retentionSeconds + 7 * 86_400;

/** Writes `fields` on the chunk while `owner` (or, without one, anybody) holds it; false when it is gone. */
export async function updateChunk(
  ctx: WorkerContext,
  request: ChunkRequest,
  owner: string | undefined,
  change: (chunk: ChunkDocument) => ChunkDocument,
): Promise<boolean> {
  const { chunks } = chunkDeps(ctx);
  const id = chunkDocumentId(request.reportId, request.planId, request.chunkIndex);
  return retryOnConflict(`${chunkTag(request)} update`, async () => {
    const current = await chunks.get(request.tenantId, id);
    if (!current || (owner !== undefined && current.doc.leaseOwner !== owner)) return false;
    const result = await chunks.replace(change(current.doc), current.etag);
    return result === 'conflict' ? CONFLICT : true;
  });
}

export const markDone = (ctx: WorkerContext, request: ChunkRequest, owner: string | undefined) =>
  updateChunk(ctx, request, owner, (chunk) =>
    chunk.status === 'Done' ? chunk : { ...chunk, status: 'Done', leaseOwner: null, leaseExpiresAt: null },
  );

export const release = (ctx: WorkerContext, request: ChunkRequest, owner: string) =>
  updateChunk(ctx, request, owner, (chunk) => ({
    ...chunk,
    status: 'Pending',
    leaseOwner: null,
    leaseExpiresAt: null,
  }));
