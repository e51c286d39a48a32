// Chunked exports, the steps after the plan: run one chunk (claim it, stage its rows as blocks, record
// it on the report), and, once every chunk is recorded, commit the blocks as the report's one file and
// complete the report. Each step is idempotent: a duplicate message, a chunk run twice or a replayed
// commit still gives one file and one completion.
import {
  blockId,
  chunkBlockIds,
  chunkDocumentId,
  chunkedProgress,
  isPlanFinished,
  newChunk,
  type ChunkDocument,
  type ChunkResult,
  type ChunkedExport,
} from '../../domain/chunks';
import type { FilePart } from '../../domain/formats';
import {
  isLeaseAlive,
  isTerminal,
  type ReportDocument,
  type ReportFields,
  type ReportStatus,
} from '../../domain/report';
import { ReportTypeError } from '../../domain/report-types/types';
import { stageChunk } from '../export-pipeline';
import { isTransient } from '../failures';
import type { BlockFiles, ChunkStore } from '../ports';
import { CONFLICT, CONTENDED, retryOnConflict, TooManyConflictsError } from '../retry-on-conflict';
import { failure, type WorkerContext, type WorkerLog, type WorkOutcome } from './context';
import { CancelRequested, LeaseLost } from './errors';
import { LeaseKeeper } from './lease-keeper';
import { retryMessage, type ChunkRequest } from './messages';
import { retryDelay, runnable } from './single-pass';

interface ChunkDeps {
  chunks: ChunkStore;
  blocks: BlockFiles;
}

function chunkDeps(ctx: WorkerContext): ChunkDeps {
  if (!ctx.chunkStore || !ctx.blocks) throw new Error('chunked exports need a chunk store and block files');
  return { chunks: ctx.chunkStore, blocks: ctx.blocks };
}

const chunkTag = (request: ChunkRequest) =>
  `report ${request.reportId} chunk ${request.chunkIndex} (plan ${request.planId})`;

/** Ends a chunked report (nobody holds a claim on the report itself) unless it has ended already. */
export async function endChunked(
  ctx: WorkerContext,
  tenantId: string,
  reportId: string,
  status: ReportStatus,
  fields: ReportFields,
): Promise<boolean> {
  return retryOnConflict(
    `report ${reportId}`,
    async () => {
      const stored = await ctx.store.get(tenantId, reportId);
      if (!stored || isTerminal(stored.doc.status)) return false;
      const result = await ctx.store.replace(ctx.terminal(stored.doc, status, fields), stored.etag);
      return result === 'conflict' ? CONFLICT : true;
    },
    CONTENDED,
  );
}

export async function failChunked(
  ctx: WorkerContext,
  request: { tenantId: string; reportId: string },
  code: string,
  message: string,
  log: WorkerLog,
): Promise<WorkOutcome> {
  await endChunked(ctx, request.tenantId, request.reportId, 'Failed', failure(code, message));
  log.warn(`report ${request.reportId}: Failed (${code}): ${message}`);
  return 'failed';
}

export async function cancelChunked(
  ctx: WorkerContext,
  report: ReportDocument,
  log: WorkerLog,
): Promise<WorkOutcome> {
  // Nothing was committed: the staged blocks are never part of a file, and Blob Storage drops them.
  if (await endChunked(ctx, report.tenantId, report.id, 'Cancelled', {})) {
    await ctx.discardFile(report, log);
    log.log(`report ${report.id}: Cancelled (chunked export)`);
  }
  return 'cancelled';
}

/** Processes one `ExportChunkRequested` message. */
export async function handleChunk(
  ctx: WorkerContext,
  request: ChunkRequest,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const stored = await ctx.store.get(request.tenantId, request.reportId);
  if (!stored) return 'skipped-missing';
  const report = stored.doc;
  if (isTerminal(report.status)) return 'skipped-terminal';
  const plan = report.chunks;
  if (!plan || plan.planId !== request.planId || request.chunkIndex >= plan.slices.length)
    return 'skipped-stale';
  if (report.cancelRequested) return cancelChunked(ctx, report, log);
  if (plan.results[request.chunkIndex]) {
    // Recorded already (a duplicate message, or a run that stopped before its last steps): finish those.
    const outcome = await commitIfFinished(ctx, report, log);
    await markDone(ctx, request, undefined);
    return outcome;
  }
  const claim = await claimChunk(ctx, report, plan, request, log);
  if (typeof claim === 'string') return claim;
  return runChunk(ctx, report, plan, claim, request, log);
}

async function claimChunk(
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
async function updateChunk(
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

const markDone = (ctx: WorkerContext, request: ChunkRequest, owner: string | undefined) =>
  updateChunk(ctx, request, owner, (chunk) =>
    chunk.status === 'Done' ? chunk : { ...chunk, status: 'Done', leaseOwner: null, leaseExpiresAt: null },
  );

const release = (ctx: WorkerContext, request: ChunkRequest, owner: string) =>
  updateChunk(ctx, request, owner, (chunk) => ({
    ...chunk,
    status: 'Pending',
    leaseOwner: null,
    leaseExpiresAt: null,
  }));

async function runChunk(
  ctx: WorkerContext,
  report: ReportDocument,
  plan: ChunkedExport,
  chunk: ChunkDocument,
  request: ChunkRequest,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const { blocks } = chunkDeps(ctx);
  const owner = chunk.leaseOwner as string;
  const tag = chunkTag(request);
  const run = runnable(ctx, report);
  const file = ctx.fileOf(report);
  const chunked = run.ok ? run.writer.chunked : undefined;
  const planner = run.ok ? run.type.chunking : undefined;
  if (!run.ok || !file || !chunked || !planner) {
    const message = run.ok ? `The ${run.type.title} report cannot be exported in parts.` : run.message;
    return failChunked(ctx, request, run.ok ? 'UnsupportedFormat' : run.code, message, log);
  }
  const controller = new AbortController();
  let processed = 0;
  // Heartbeat: renew the chunk's lease with its progress, and stop when the report ends or is cancelled.
  const keeper = new LeaseKeeper({
    intervalMs: ctx.heartbeatMs,
    beat: async () => {
      const held = await updateChunk(ctx, request, owner, (current) => ({
        ...current,
        leaseExpiresAt: ctx.leaseUntil(),
        processedRows: processed,
      }));
      if (!held) {
        controller.abort(new LeaseLost());
        return 'stop';
      }
      const current = await ctx.store.get(report.tenantId, report.id);
      if (!current || isTerminal(current.doc.status) || current.doc.cancelRequested) {
        controller.abort(new CancelRequested());
        return 'stop';
      }
      return 'continue';
    },
    onError: (error) => log.warn(`${tag}: heartbeat failed: ${String(error)}`),
  });
  keeper.start();
  log.log(`${tag}: attempt ${chunk.attempts} reads its rows`);
  try {
    const options = { columns: run.type.columns, title: run.type.title, parameters: run.parameters };
    const staged = await stageChunk({
      pages: planner.rows(run.parameters, chunk.slice, {
        data: ctx.data,
        signal: controller.signal,
        progress: (done) => {
          processed = done;
        },
      }),
      stream: chunked.createChunkStream(options),
      blocks,
      name: file.blobName,
      blockId: (seq) => blockId(plan.planId, request.chunkIndex, chunk.attempts, seq),
      signal: controller.signal,
    });
    await keeper.stop();
    const result: ChunkResult = {
      attempt: chunk.attempts,
      blocks: staged.blocks,
      rows: staged.rowCount,
      bytes: staged.sizeBytes,
    };
    const recorded = await recordResult(ctx, request, result);
    const outcome = recorded ? await commitIfFinished(ctx, recorded, log) : 'chunk-done';
    await markDone(ctx, request, owner);
    log.log(`${tag}: ${result.rows} rows, ${result.bytes} bytes staged in ${result.blocks} blocks`);
    return outcome;
  } catch (error) {
    await keeper.stop();
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted && reason instanceof LeaseLost) {
      log.warn(`${tag}: stopped: the claim passed to another worker`);
      return 'lease-lost';
    }
    if (controller.signal.aborted && reason instanceof CancelRequested) {
      await release(ctx, request, owner);
      return cancelChunked(ctx, report, log);
    }
    if (error instanceof ReportTypeError) return failChunked(ctx, request, error.code, error.message, log);
    if (isTransient(error) || error instanceof TooManyConflictsError) {
      if (chunk.attempts >= ctx.options.maxAttempts) {
        return failChunked(
          ctx,
          request,
          'TransientFailure',
          `The export kept failing on a temporary problem after ${chunk.attempts} attempts at part ${request.chunkIndex + 1}.`,
          log,
        );
      }
      // Released first: should the send fail, the broker redelivers this message, which finds it Pending.
      await release(ctx, request, owner);
      const delay = retryDelay(ctx, chunk.attempts);
      await ctx.publisher.publish([
        retryMessage(
          `retry-${request.reportId}-p${request.planId}-c${request.chunkIndex}-${chunk.attempts}`,
          report.correlationId,
          request,
          new Date(ctx.now().getTime() + delay),
        ),
      ]);
      log.warn(`${tag}: temporary failure (${String(error)}); retry in ${delay} ms`);
      return 'retry-scheduled';
    }
    log.error(`${tag}: the ${run.type.name} export failed`, error);
    const message = error instanceof Error ? error.message : String(error);
    return failChunked(ctx, request, 'ExportFailed', `The ${run.type.title} export failed: ${message}`, log);
  }
}

/**
 * Records a finished chunk on the report, once: the report as written, or undefined when the report has
 * ended, has another plan, or had the chunk recorded already.
 */
async function recordResult(
  ctx: WorkerContext,
  request: ChunkRequest,
  result: ChunkResult,
): Promise<ReportDocument | undefined> {
  return retryOnConflict(
    `report ${request.reportId} chunk result`,
    async () => {
      const stored = await ctx.store.get(request.tenantId, request.reportId);
      const plan = stored?.doc.chunks;
      if (!stored || isTerminal(stored.doc.status) || !plan || plan.planId !== request.planId)
        return undefined;
      if (plan.results[request.chunkIndex]) return undefined;
      const results = plan.results.map((existing, index) =>
        index === request.chunkIndex ? result : existing,
      );
      const chunks: ChunkedExport = { ...plan, results };
      const startedMs = Date.parse(stored.doc.startedAt ?? stored.doc.createdAt);
      const written = await ctx.store.replace(
        { ...stored.doc, chunks, progress: chunkedProgress(chunks, startedMs, ctx.now().getTime()) },
        stored.etag,
      );
      return written === 'conflict' ? CONFLICT : written.doc;
    },
    CONTENDED,
  );
}

/** When every chunk of the report is recorded: commits the file (once) and completes the report (once). */
export async function commitIfFinished(
  ctx: WorkerContext,
  report: ReportDocument,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const plan = report.chunks;
  if (!plan || !isPlanFinished(plan) || isTerminal(report.status)) return 'chunk-done';
  const { blocks } = chunkDeps(ctx);
  const run = runnable(ctx, report);
  const file = ctx.fileOf(report);
  const chunked = run.ok ? run.writer.chunked : undefined;
  if (!run.ok || !file || !chunked) {
    const request = { tenantId: report.tenantId, reportId: report.id };
    return failChunked(ctx, request, 'ExportFailed', 'The export cannot be assembled from its parts.', log);
  }
  const results = plan.results as ChunkResult[];
  const parts: FilePart[] = chunked.assemble(
    results.map((result) => result.rows),
    { columns: run.type.columns, title: run.type.title, parameters: run.parameters },
  );
  const blockIds: string[] = [];
  let sizeBytes = 0;
  let literal = 0;
  const signal = new AbortController().signal;
  for (const part of parts) {
    if ('literal' in part) {
      const id = blockId(plan.planId, 'literal', 0, literal++);
      await blocks.stageBlock(file.blobName, id, part.literal, signal);
      blockIds.push(id);
      sizeBytes += part.literal.length;
    } else {
      const result = results[part.chunk] as ChunkResult;
      blockIds.push(...chunkBlockIds(plan.planId, part.chunk, result));
      sizeBytes += result.bytes;
    }
  }
  const committed = await blocks.commitBlocks(file.blobName, blockIds, file.headers);
  const rowCount = results.reduce((sum, result) => sum + result.rows, 0);
  const startedMs = Date.parse(report.startedAt ?? report.createdAt);
  const completed = await endChunked(ctx, report.tenantId, report.id, 'Completed', {
    rowCount,
    sizeBytes,
    fileName: file.fileName,
    blobName: file.blobName,
    progress: chunkedProgress(plan, startedMs, ctx.now().getTime()),
    error: null,
  });
  if (!completed) return 'chunk-done';
  log.log(
    `report ${report.id}: Completed: ${rowCount} rows, ${sizeBytes} bytes in ${plan.slices.length} chunks` +
      (committed === 'exists' ? ' (file committed before)' : ''),
  );
  return 'completed';
}
