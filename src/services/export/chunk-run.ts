// Chunked exports, running one chunk (an `ExportChunkRequested` message): claim the chunk, stage its rows
// as blocks of the report's file under a heartbeat, record the result on the report, and, when it was the
// last one, finish the export (see chunk-commit.ts). A duplicate message or a chunk run twice records one
// result; a passing fault releases the chunk and schedules a retry.
import {
  blockId,
  chunkedProgress,
  type ChunkDocument,
  type ChunkResult,
  type ChunkedExport,
} from '../../domain/chunks';
import { isTerminal, type ReportDocument } from '../../domain/report';
import { ReportTypeError } from '../../domain/report-types/types';
import { stageChunk } from '../export-pipeline';
import { isTransient } from '../failures';
import { CONFLICT, CONTENDED, retryOnConflict, TooManyConflictsError } from '../retry-on-conflict';
import { chunkDeps, chunkTag, claimChunk, markDone, release, updateChunk } from './chunk-claim';
import { commitIfFinished } from './chunk-commit';
import { cancelChunked, failChunked } from './chunked-end';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { CancelRequested, LeaseLost } from './errors';
import { LeaseKeeper } from './lease-keeper';
import { retryMessage, type ChunkRequest } from './messages';
import { retryDelay, runnable } from './single-pass';

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
