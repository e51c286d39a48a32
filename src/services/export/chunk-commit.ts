// Chunked exports, finishing the export once every chunk is recorded: the last chunk stages the framing
// blocks (the format's header, separators and footer), commits the block list as the report's one file
// (If-None-Match, so a replayed commit finds it there) and completes the report, once.
import {
  blockId,
  chunkBlockIds,
  chunkedProgress,
  isPlanFinished,
  type ChunkResult,
} from '../../domain/chunks';
import type { FilePart } from '../../domain/formats';
import { isTerminal, type ReportDocument } from '../../domain/report';
import { chunkDeps } from './chunk-claim';
import { endChunked, failChunked } from './chunked-end';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { runnable } from './single-pass';

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
