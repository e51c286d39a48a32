// Runs a claimed report in one pass: its rows, through the format writer, into one upload, under the
// claim's heartbeat (lease, progress, cancel: see ./claimed-run.ts); the report ended in exactly one
// terminal state, or released for a retry with backoff.
import { InvalidTransitionError } from '../../domain/errors';
import type { ExportRequest } from '../../domain/messages';
import { ProgressTracker } from '../../domain/progress';
import type { ReportDocument } from '../../domain/report';
import { writeExport } from '../export-pipeline';
import { runClaimed } from './claimed-run';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { emptyResultFields } from './empty-result';
import { failClaimed, failedRun, renewReport, tagOf } from './report-claim';
import type { RunnableReport } from './runnable';

export async function runSinglePass(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  plan: RunnableReport,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const owner = claimed.leaseOwner as string;
  const tag = tagOf(claimed);
  const { type, writer } = plan;
  const file = ctx.fileOf(claimed);
  if (!file)
    return failClaimed(
      ctx,
      claimed,
      'UnknownReportType',
      `There is no report type '${claimed.reportType}'.`,
      log,
    );
  const startedMs = ctx.now().getTime();
  // The first progress is written as soon as there is any, not one interval after the claim.
  let beatNow = (): void => undefined;
  const tracker = new ProgressTracker(startedMs, () => beatNow());

  const end = await runClaimed(
    ctx,
    {
      tag,
      renew: () => renewReport(ctx, claimed, { progress: tracker.snapshot(ctx.now().getTime()) }),
      work: (signal, wake) => {
        beatNow = wake;
        return writeExport({
          pages: countRows(
            type.rows(plan.parameters, {
              data: ctx.data,
              signal,
              progress: (done, total) => tracker.update(done, total),
            }),
            tracker,
          ),
          writer,
          columns: type.columns,
          title: type.title,
          parameters: plan.parameters,
          generatedAt: new Date(startedMs),
          files: ctx.files,
          name: file.blobName,
          headers: file.headers,
          signal,
        });
      },
    },
    log,
  );

  switch (end.kind) {
    case 'done': {
      const result = end.value;
      const warned = await emptyResultFields(ctx, plan, result.rowCount, log);
      let ended: ReportDocument | 'lost';
      try {
        ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
          ctx.terminal(doc, 'Completed', {
            rowCount: result.rowCount,
            truncated: result.truncated,
            sizeBytes: result.sizeBytes,
            fileName: file.fileName,
            blobName: file.blobName,
            progress: tracker.completed(ctx.now().getTime(), result),
            error: null,
            ...warned,
          }),
        );
      } catch (error) {
        // A refused status write is not the export's failure: leave the report as it is (see handle).
        if (error instanceof InvalidTransitionError) await ctx.discardFile(claimed, log);
        throw error;
      }
      if (ended === 'lost') {
        log.warn(
          `${tag}: finished the file but lost the claim before completing; the new owner completes it`,
        );
        return 'lease-lost';
      }
      log.log(
        `${tag}: Completed: ${result.rowCount} rows, ${result.sizeBytes} bytes in ${ctx.now().getTime() - startedMs} ms`,
      );
      return 'completed';
    }
    case 'lease-lost':
      log.warn(`${tag}: stopped: the claim passed to another worker`);
      return 'lease-lost';
    case 'stopped': {
      await ctx.discardFile(claimed, log);
      const ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
        ctx.terminal(doc, 'Cancelled', { progress: tracker.snapshot(ctx.now().getTime()) }),
      );
      log.log(`${tag}: Cancelled after ${tracker.processed} rows`);
      return ended === 'lost' ? 'lease-lost' : 'cancelled';
    }
    case 'error':
      await ctx.discardFile(claimed, log);
      return failedRun(ctx, claimed, request, end.error, log, plan);
  }
}

async function* countRows<T>(pages: AsyncIterable<readonly T[]>, tracker: ProgressTracker) {
  let written = 0;
  for await (const page of pages) {
    written += page.length;
    tracker.rowsWritten(written);
    yield page;
  }
}
