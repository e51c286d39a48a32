// Chunked exports, running one chunk (an `ExportChunkRequested` message): claim the chunk, stage its rows
// as blocks of the report's file under the chunk's heartbeat (its lease and row count on its own
// document, and a look at the report for a cancel), write Done with the result on the chunk's document,
// and, when every chunk is Done, finish the export (see chunk-commit.ts). A duplicate message or a chunk
// run twice records one result; a passing fault releases the chunk and schedules a retry.
import {
  blockId,
  doneChunk,
  releasedChunk,
  type ChunkDocument,
  type ChunkPlanHeader,
} from '../../domain/chunks';
import { messageIds } from '../../domain/message-ids';
import type { ChunkRequest } from '../../domain/messages';
import { isTerminal, type ReportDocument } from '../../domain/report';
import { stageChunk } from '../export-pipeline';
import type { Stored } from '../ports';
import { chunkDeps, chunkTag, claimChunk } from './chunk-claim';
import { commitIfFinished } from './chunk-commit';
import { chunkWindowOf, sendNextChunks } from './chunk-window';
import { cancelChunked, failChunked } from './chunked-end';
import { afterError, runClaimed, type Renewal } from './claimed-run';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { retryMessage } from './messages';
import { runnable } from './runnable';

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
  const header = report.chunkPlan;
  if (!header || header.planId !== request.planId || request.chunkIndex >= header.count)
    return 'skipped-stale';
  if (report.cancelRequested) return cancelChunked(ctx, report, log);
  const claim = await claimChunk(ctx, report, request, log);
  // Finished already: only the steps after it may be left (the commit and the completion).
  if (claim === 'done') return commitIfFinished(ctx, report, header, log);
  if (typeof claim === 'string') return claim;
  return runChunk(ctx, report, header, claim, request, log);
}

async function runChunk(
  ctx: WorkerContext,
  report: ReportDocument,
  header: ChunkPlanHeader,
  claimed: Stored<ChunkDocument>,
  request: ChunkRequest,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const { chunks, blocks } = chunkDeps(ctx);
  const tag = chunkTag(request);
  const run = runnable(ctx, report);
  const file = ctx.fileOf(report);
  const chunked = run.ok ? run.writer.chunked : undefined;
  const planner = run.ok ? run.type.chunking : undefined;
  if (!run.ok || !file || !chunked || !planner) {
    const message = run.ok ? `The ${run.type.title} report cannot be exported in parts.` : run.message;
    return failChunked(ctx, request, run.ok ? 'UnsupportedFormat' : run.code, message, log);
  }
  const attempt = claimed.doc.attempts;
  // The chunk as last written by this worker: every write of its own is conditional on this etag.
  let current = claimed;
  let processed = 0;
  const renew = async (): Promise<Renewal> => {
    const renewed = await chunks.replace(
      { ...current.doc, leaseExpiresAt: ctx.leaseUntil(), processedRows: processed },
      current.etag,
    );
    if (renewed === 'conflict') return 'lost';
    current = renewed;
    const now = await ctx.store.get(report.tenantId, report.id);
    return !now || isTerminal(now.doc.status) || now.doc.cancelRequested ? 'stop' : 'held';
  };
  log.log(`${tag}: attempt ${attempt} reads its rows`);
  const end = await runClaimed(
    ctx,
    {
      tag,
      renew,
      work: (signal) =>
        stageChunk({
          pages: planner.rows(run.parameters, claimed.doc.slice, {
            data: ctx.data,
            signal,
            progress: (done) => {
              processed = done;
            },
          }),
          stream: chunked.createChunkStream({
            columns: run.type.columns,
            title: run.type.title,
            parameters: run.parameters,
          }),
          blocks,
          name: file.blobName,
          blockId: (seq) => blockId(header.planId, request.chunkIndex, attempt, seq),
          signal,
        }),
    },
    log,
  );
  switch (end.kind) {
    case 'done': {
      const staged = end.value;
      const result = { attempt, blocks: staged.blocks, rows: staged.rowCount, bytes: staged.sizeBytes };
      // The chunks this one's end lets into the window, before its Done (see chunk-window.ts).
      const window = await chunkWindowOf(ctx, report.tenantId);
      await sendNextChunks(ctx, report, header, window, request.chunkIndex);
      // The result and Done in one write of the chunk's own document, under its claim.
      if ((await chunks.replace(doneChunk(current.doc, result), current.etag)) === 'conflict') {
        log.warn(`${tag}: staged its rows but lost the claim before recording them; the new owner runs it`);
        return 'lease-lost';
      }
      log.log(`${tag}: ${result.rows} rows, ${result.bytes} bytes staged in ${result.blocks} blocks`);
      // Again after Done: chunks that finished at the same instant each saw the others running.
      if ((await sendNextChunks(ctx, report, header, window)) === 'plan-done')
        return commitIfFinished(ctx, report, header, log, true);
      return 'chunk-done';
    }
    case 'lease-lost':
      log.warn(`${tag}: stopped: the claim passed to another worker`);
      return 'lease-lost';
    case 'stopped':
      await chunks.replace(releasedChunk(current.doc), current.etag);
      return cancelChunked(ctx, report, log);
    case 'error':
      return afterError(
        ctx,
        end.error,
        {
          tag,
          attempts: attempt,
          where: ` at part ${request.chunkIndex + 1}`,
          title: run.type.title,
          typeName: run.type.name,
          retry: async (delayMs) => {
            // Released first: should the send fail, the broker redelivers this message, which finds it Pending.
            if ((await chunks.replace(releasedChunk(current.doc), current.etag)) === 'conflict')
              return 'lease-lost';
            await ctx.publisher.publish([
              retryMessage(
                messageIds.chunkRetry(request.reportId, request.planId, request.chunkIndex, attempt),
                report.correlationId,
                request,
                new Date(ctx.now().getTime() + delayMs),
              ),
            ]);
            return 'retry-scheduled';
          },
          fail: (code, message) => failChunked(ctx, request, code, message, log),
        },
        log,
      );
  }
}
