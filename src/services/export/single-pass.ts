// Runs a claimed report in one pass: its rows, through the format writer, into one upload; the lease kept
// alive, progress written and cancellation noticed by a heartbeat; the report ended in exactly one
// terminal state, or released for a retry with backoff.
import { retryDelayMs } from '../../domain/backoff';
import type { FormatWriter } from '../../domain/formats';
import { ProgressTracker } from '../../domain/progress';
import {
  InvalidTransitionError,
  NO_PROGRESS,
  transition,
  type ReportDocument,
  type ReportFields,
} from '../../domain/report';
import type { ReportTypeDefinition } from '../../domain/report-types';
import { ReportTypeError } from '../../domain/report-types/types';
import { writeExport } from '../export-pipeline';
import { isTransient } from '../failures';
import { failure, type WorkerContext, type WorkerLog, type WorkOutcome } from './context';
import { CancelRequested, LeaseLost } from './errors';
import { keepClaim, type LeaseKeeper } from './lease-keeper';
import { retryMessage, type ExportRequest } from './messages';

/** A claimed report's type, writer and parsed parameters, or the reason it cannot run. */
export type Runnable =
  | { ok: true; type: ReportTypeDefinition; writer: FormatWriter; parameters: Record<string, unknown> }
  | { ok: false; code: string; message: string };

export function runnable(ctx: WorkerContext, doc: ReportDocument): Runnable {
  const type = ctx.reportTypeOf(doc.reportType);
  if (!type)
    return { ok: false, code: 'UnknownReportType', message: `There is no report type '${doc.reportType}'.` };
  const writer = ctx.formatOf(doc.format);
  if (!writer || !type.formats.includes(writer.name)) {
    return {
      ok: false,
      code: 'UnsupportedFormat',
      message: `The ${type.title} report cannot be exported as '${doc.format}'.`,
    };
  }
  const parsed = type.parameters.safeParse(doc.parameters);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'InvalidParameters',
      message: `The report parameters are not valid: ${parsed.error.message}`,
    };
  }
  return { ok: true, type, writer, parameters: parsed.data };
}

const tagOf = (doc: ReportDocument): string =>
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

export async function runSinglePass(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  plan: Extract<Runnable, { ok: true }>,
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
  const controller = new AbortController();

  // Heartbeat: renew the lease, write progress (at most once per interval), notice cancel requests.
  // The first progress is written as soon as there is any, not one interval after the claim.
  const keeper: LeaseKeeper = keepClaim(ctx, claimed, {
    fields: () => ({ progress: tracker.snapshot(ctx.now().getTime()) }),
    renewed: (current) => {
      if (current === 'lost') controller.abort(new LeaseLost());
      else if (current.cancelRequested) controller.abort(new CancelRequested());
      return current === 'lost' || current.cancelRequested ? 'stop' : 'continue';
    },
    onError: (error) => log.warn(`${tag}: heartbeat failed: ${String(error)}`),
  });
  const tracker = new ProgressTracker(startedMs, () => keeper.wake());
  keeper.start();

  try {
    const result = await writeExport({
      pages: countRows(
        type.rows(plan.parameters, {
          data: ctx.data,
          signal: controller.signal,
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
      signal: controller.signal,
    });
    await keeper.stop();
    const ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
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
    if (ended === 'lost') {
      log.warn(`${tag}: finished the file but lost the claim before completing; the new owner completes it`);
      return 'lease-lost';
    }
    log.log(
      `${tag}: Completed: ${result.rowCount} rows, ${result.sizeBytes} bytes in ${ctx.now().getTime() - startedMs} ms`,
    );
    return 'completed';
  } catch (error) {
    await keeper.stop();
    if (error instanceof InvalidTransitionError) {
      // A refused status write is not the export's failure: leave the report as it is (see handle).
      await ctx.discardFile(claimed, log);
      throw error;
    }
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted && reason instanceof LeaseLost) {
      log.warn(`${tag}: stopped: the claim passed to another worker`);
      return 'lease-lost';
    }
    if (controller.signal.aborted && reason instanceof CancelRequested) {
      await ctx.discardFile(claimed, log);
      const ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
        ctx.terminal(doc, 'Cancelled', { progress: tracker.snapshot(ctx.now().getTime()) }),
      );
      log.log(`${tag}: Cancelled after ${tracker.processed} rows`);
      return ended === 'lost' ? 'lease-lost' : 'cancelled';
    }
    await ctx.discardFile(claimed, log);
    return failedRun(ctx, claimed, request, error, log, type.title, type.name);
  }
}

/** After a run threw: the report fails, or (a passing fault with attempts left) retries later. */
export async function failedRun(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  error: unknown,
  log: WorkerLog,
  title: string,
  typeName: string,
): Promise<WorkOutcome> {
  if (error instanceof ReportTypeError) return failClaimed(ctx, claimed, error.code, error.message, log);
  if (isTransient(error)) {
    if (claimed.attempts >= ctx.options.maxAttempts) {
      return failClaimed(
        ctx,
        claimed,
        'TransientFailure',
        `The export kept failing on a temporary problem after ${claimed.attempts} attempts.`,
        log,
      );
    }
    return retryLater(ctx, claimed, request, error, log);
  }
  log.error(`${tagOf(claimed)}: the ${typeName} export failed`, error);
  const message = error instanceof Error ? error.message : String(error);
  return failClaimed(ctx, claimed, 'ExportFailed', `The ${title} export failed: ${message}`, log);
}

/** The delay before the retry after `attempts` attempts: exponential, with jitter. */
export const retryDelay = (ctx: WorkerContext, attempts: number): number =>
  retryDelayMs(
    attempts,
    { baseMs: ctx.options.retryBaseSeconds * 1000, maxMs: ctx.options.retryMaxSeconds * 1000 },
    ctx.random,
  );

/** Puts the report back to Pending and schedules a new message after an exponential backoff. */
async function retryLater(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  error: unknown,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const delay = retryDelay(ctx, claimed.attempts);
  const released = await ctx.writeClaimed(claimed.tenantId, claimed.id, claimed.leaseOwner as string, (doc) =>
    transition(doc, 'Pending', { leaseOwner: null, leaseExpiresAt: null, progress: { ...NO_PROGRESS } }),
  );
  if (released === 'lost') return 'lease-lost';
  // Released first: should this send fail, the error makes the broker redeliver the current message,
  // which then finds the report Pending and claims it. Its own message id keeps duplicate detection
  // from dropping it.
  await ctx.publisher.publish([
    retryMessage(
      `retry-${claimed.id}-${claimed.attempts}`,
      claimed.correlationId,
      request,
      new Date(ctx.now().getTime() + delay),
    ),
  ]);
  log.warn(`${tagOf(claimed)}: temporary failure (${String(error)}); retry in ${delay} ms`);
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
