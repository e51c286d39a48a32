// Chunked exports, finishing the export once every chunk is Done. A chunk that wrote Done counts the Done
// chunks of its plan (one aggregate in the report's partition, no shared document to contend on). One
// that sees them all takes the report's claim for the commit (an etag-conditional write, as a worker
// claims a report: chunks that finish at the same instant race for it, and one wins), stages the framing
// blocks (the format's header, separators and footer), commits the block list as the report's one file
// (If-None-Match, so a replay finds it there) and completes the report under that claim. A committer that
// dies leaves a lapsing claim: the watchdog re-queues the report, and its next worker commits.
import {
  blockId,
  chunkBlockIds,
  chunkedProgress,
  type ChunkPlanHeader,
  type ChunkResult,
} from '../../domain/chunks';
import type { FilePart } from '../../domain/format';
import { isLeaseAlive, isTerminal, type ReportDocument } from '../../domain/report';
import { isTransient } from '../failures';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import { chunkDeps } from './chunk-claim';
import { cancelChunked, failChunked } from './chunked-end';
import { runClaimed } from './claimed-run';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { emptyResultFields } from './empty-result';
import { runnable } from './runnable';
import { renewReport, tagOf } from './report-claim';

/** Whether every chunk of the plan is Done. */
export const isPlanDone = async (
  ctx: WorkerContext,
  report: ReportDocument,
  header: ChunkPlanHeader,
): Promise<boolean> =>
  (await chunkDeps(ctx).chunks.countDone(report.tenantId, report.id, header.planId)) >= header.count;

/**
 * When every chunk of the plan is Done (`known`: the caller saw it already): takes the report's claim,
 * commits the file and completes it.
 */
export async function commitIfFinished(
  ctx: WorkerContext,
  report: ReportDocument,
  header: ChunkPlanHeader,
  log: WorkerLog,
  known = false,
): Promise<WorkOutcome> {
  if (!known && !(await isPlanDone(ctx, report, header))) return 'chunk-done';
  const claimed = await retryOnConflict(`report ${report.id} commit claim`, async () => {
    const stored = await ctx.store.get(report.tenantId, report.id);
    const current = stored?.doc;
    if (!stored || !current || isTerminal(current.status)) return 'chunk-done';
    if (current.chunkPlan?.planId !== header.planId || isLeaseAlive(current, ctx.now())) return 'chunk-done';
    // A cancel asked for while the last chunks ran wins over the commit.
    if (current.cancelRequested) return cancelChunked(ctx, current, log);
    const claim = { ...current, leaseOwner: ctx.newId(), leaseExpiresAt: ctx.leaseUntil() };
    const written = await ctx.store.replace(claim, stored.etag);
    return written === 'conflict' ? CONFLICT : written.doc;
  });
  if (typeof claimed === 'string') return claimed;
  return commitClaimed(ctx, claimed, header, log);
}

/** Commits the file of a report whose chunks are all Done and completes it, under the worker's claim. */
export async function commitClaimed(
  ctx: WorkerContext,
  claimed: ReportDocument,
  header: ChunkPlanHeader,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const owner = claimed.leaseOwner as string;
  const fail = (message: string) =>
    failChunked(ctx, { tenantId: claimed.tenantId, reportId: claimed.id }, 'ExportFailed', message, log);
  const run = runnable(ctx, claimed);
  const file = ctx.fileOf(claimed);
  const chunked = run.ok ? run.writer.chunked : undefined;
  if (!run.ok || !file || !chunked) return fail('The export cannot be assembled from its parts.');
  const end = await runClaimed(
    ctx,
    {
      tag: tagOf(claimed),
      renew: () => renewReport(ctx, claimed),
      work: async (signal) => {
        const { chunks, blocks } = chunkDeps(ctx);
        const byIndex = await chunks.results(claimed.tenantId, claimed.id, header.planId);
        const results: ChunkResult[] = [];
        for (let index = 0; index < header.count; index++) {
          const result = byIndex.get(index);
          if (!result) throw new Error(`part ${index + 1} of the export has no result`);
          results.push(result);
        }
        const parts: FilePart[] = chunked.assemble(
          results.map((result) => result.rows),
          { columns: run.type.columns, title: run.type.title, parameters: run.parameters },
        );
        const blockIds: string[] = [];
        let sizeBytes = 0;
        let literal = 0;
        for (const part of parts) {
          if ('literal' in part) {
            const id = blockId(header.planId, 'literal', 0, literal++);
            await blocks.stageBlock(file.blobName, id, part.literal, signal);
            blockIds.push(id);
            sizeBytes += part.literal.length;
          } else {
            const result = results[part.chunk] as ChunkResult;
            blockIds.push(...chunkBlockIds(header.planId, part.chunk, result));
            sizeBytes += result.bytes;
          }
        }
        const committed = await blocks.commitBlocks(file.blobName, blockIds, file.headers);
        return { committed, sizeBytes, rowCount: results.reduce((sum, result) => sum + result.rows, 0) };
      },
    },
    log,
  );
  switch (end.kind) {
    case 'done': {
      const { committed, sizeBytes, rowCount } = end.value;
      const startedMs = Date.parse(claimed.startedAt ?? claimed.createdAt);
      const tally = { done: header.count, rows: rowCount };
      const warned = await emptyResultFields(ctx, run, rowCount, log);
      const ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
        ctx.terminal(doc, 'Completed', {
          rowCount,
          sizeBytes,
          fileName: file.fileName,
          blobName: file.blobName,
          progress: chunkedProgress(header, tally, startedMs, ctx.now().getTime()),
          error: null,
          ...warned,
        }),
      );
      if (ended === 'lost') return 'lease-lost';
      log.log(
        `report ${claimed.id}: Completed: ${rowCount} rows, ${sizeBytes} bytes in ${header.count} chunks` +
          (committed === 'exists' ? ' (file committed before)' : ''),
      );
      return 'completed';
    }
    case 'lease-lost':
      return 'lease-lost';
    case 'stopped': {
      await ctx.discardFile(claimed, log);
      const ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
        ctx.terminal(doc, 'Cancelled', {}),
      );
      return ended === 'lost' ? 'lease-lost' : 'cancelled';
    }
    case 'error': {
      // A passing fault: the claim is given up and the message redelivered, and the next commit takes it
      // (the chunks are Done and kept). Anything else cannot be helped by trying again.
      if (isTransient(end.error)) {
        await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) => ({
          ...doc,
          leaseOwner: null,
          leaseExpiresAt: null,
        }));
        throw end.error;
      }
      const message = end.error instanceof Error ? end.error.message : String(end.error);
      log.error(`report ${claimed.id}: the commit failed`, end.error);
      return fail(`The export could not be assembled: ${message}`);
    }
  }
}
