// Runs a claimed report in one pass: its rows, through the format writer, into one upload, under the
// claim's heartbeat (lease, progress, cancel: see ./claimed-run.ts); the report ended in exactly one
// terminal state, or released for a retry with backoff.
import { InvalidTransitionError } from '../../domain/errors';
import { messageIds } from '../../domain/message-ids';
import type { ExportRequest } from '../../domain/messages';
import { ProgressTracker } from '../../domain/progress';
import {
  claimedUpdate,
  NO_PROGRESS,
  transition,
  type ReportDocument,
  type ReportFields,
} from '../../domain/report';
import { writeExport } from '../export-pipeline';
import { afterError, runClaimed, type Renewal } from './claimed-run';
import { failure, type WorkerContext, type WorkerLog, type WorkOutcome } from './context';
import { retryMessage } from './messages';
import type { RunnableReport } from './runnable';

export const tagOf = (doc: ReportDocument): string =>
  `report ${doc.id} (correlation ${doc.correlationId}, attempt ${doc.attempts})`;

/** Fails a report the worker holds a claim on. */
export async function failClaimed(
  ctx: WorkerContext,
  claimed: ReportDocument,
  code: string,
  message: string,
  log: WorkerLog,
  extra: ReportFields = {},
): Promise<WorkOutcome> {
  const owner = claimed.leaseOwner as string;
  const ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
    ctx.terminal(doc, 'Failed', { ...failure(code, message), ...extra }),
  );
  log.warn(`${tagOf(claimed)}: Failed (${code}): ${message}`);
  return ended === 'lost' ? 'lease-lost' : 'failed';
}

/** Renews the claim on a report with `fields`: held, lost, or stop when a cancel was asked for. */
export async function renewReport(
  ctx: WorkerContext,
  claimed: ReportDocument,
  fields: ReportFields = {},
): Promise<Renewal> {
  const current = await ctx.store.updateClaimed(
    claimed.tenantId,
    claimed.id,
    claimed.leaseOwner as string,
    claimedUpdate({ ...fields, leaseExpiresAt: ctx.leaseUntil() }),
  );
  if (current === 'lost') return 'lost';
  return current.cancelRequested ? 'stop' : 'held';
}

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
      let ended: ReportDocument | 'lost';
      try {
        ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
          ctx.terminal(doc, 'Completed', {
            rowCount: result.rowCount,
            truncated: result.truncated,
            sizeBytes: result.sizeBytes,
            fileName: file.fileName,
            blobName: file.blobName,
            progress: tracker.snapshot(ctx.now().getTime(), true),
            error: null,
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

/** After a run of a claimed report threw: the report fails, or (a passing fault) retries later. */
export function failedRun(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  error: unknown,
  log: WorkerLog,
  plan: RunnableReport,
): Promise<WorkOutcome> {
  return afterError(
    ctx,
    error,
    {
      tag: tagOf(claimed),
      attempts: claimed.attempts,
      where: '',
      title: plan.type.title,
      typeName: plan.type.name,
      retry: (delayMs) => retryLater(ctx, claimed, request, delayMs),
      fail: (code, message) => failClaimed(ctx, claimed, code, message, log),
    },
    log,
  );
}

/** Puts the report back to Pending and schedules a new message after `delayMs`. */
async function retryLater(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  delayMs: number,
): Promise<WorkOutcome> {
  const released = await ctx.writeClaimed(claimed.tenantId, claimed.id, claimed.leaseOwner as string, (doc) =>
    transition(doc, 'Pending', { leaseOwner: null, leaseExpiresAt: null, progress: { ...NO_PROGRESS } }),
  );
  if (released === 'lost') return 'lease-lost';
  // Released first: should this send fail, the error makes the broker redeliver the current message,
  // which then finds the report Pending and claims it. Its own message id keeps duplicate detection
  // from dropping it.
  await ctx.publisher.publish([
    retryMessage(
      messageIds.retry(claimed.id, claimed.attempts),
      claimed.correlationId,
      request,
      new Date(ctx.now().getTime() + delayMs),
    ),
  ]);
  return 'retry-scheduled';
}

async function* countRows<T>(pages: AsyncIterable<readonly T[]>, tracker: ProgressTracker) {
  let written = 0;
  for await (const page of pages) {
    written += page.length;
    tracker.rowsWritten(written);
    yield page;
  }
}
