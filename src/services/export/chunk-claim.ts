// Chunked exports, claiming one chunk: the chunk document is taken with an etag-conditional write that
// sets a lease. The worker then holds the chunk's etag: each later write of its own (the heartbeat's
// renewal, Done with the result, the release for a retry) is conditional on it, so a write after the
// claim passed to someone else fails instead of overwriting theirs, and needs no read first.
import { chunkDocumentId, claimedChunk, type ChunkDocument } from '../../domain/chunks';
import type { ChunkRequest } from '../../domain/messages';
import { isLeaseAlive, type ReportDocument } from '../../domain/report';
import type { BlockFiles, ChunkStore, Stored } from '../ports';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { failChunked } from './chunked-end';

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

/**
 * Claims the chunk a message names: the claimed chunk with its etag; 'done' when it is finished already
 * (a duplicate message, or a run that stopped before the commit); or the outcome of a message with
 * nothing to run.
 */
export async function claimChunk(
  ctx: WorkerContext,
  report: ReportDocument,
  request: ChunkRequest,
  log: WorkerLog,
): Promise<Stored<ChunkDocument> | 'done' | WorkOutcome> {
  const { chunks } = chunkDeps(ctx);
  const id = chunkDocumentId(report.id, request.planId, request.chunkIndex);
  return retryOnConflict(`${chunkTag(request)} claim`, async () => {
    const current = await chunks.get(report.tenantId, id);
    // Every chunk document of a plan exists before its header is recorded: one missing is gone (TTL).
    if (!current) return 'skipped-stale';
    const chunk = current.doc;
    if (chunk.status === 'Done') return 'done';
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
    const claimed = await chunks.replace(claimedChunk(chunk, ctx.newId(), ctx.leaseUntil()), current.etag);
    return claimed === 'conflict' ? CONFLICT : claimed;
  });
}
