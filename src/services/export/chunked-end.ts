// Chunked exports, the end write of the report: Completed, Failed or Cancelled, once, on a report that no
// worker holds a claim on (its chunks have theirs). Every chunk step and the watchdog end a chunked
// report through here.
import { isTerminal, type ReportDocument, type ReportFields, type ReportStatus } from '../../domain/report';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import { failure, type WorkerContext, type WorkerLog, type WorkOutcome } from './context';

/** Ends a chunked report (nobody holds a claim on the report itself) unless it has ended already. */
async function endChunked(
  ctx: WorkerContext,
  tenantId: string,
  reportId: string,
  status: ReportStatus,
  fields: ReportFields,
): Promise<boolean> {
  return retryOnConflict(`report ${reportId}`, async () => {
    const stored = await ctx.store.get(tenantId, reportId);
    if (!stored || isTerminal(stored.doc.status)) return false;
    const result = await ctx.store.replace(ctx.terminal(stored.doc, status, fields), stored.etag);
    return result === 'conflict' ? CONFLICT : true;
  });
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
