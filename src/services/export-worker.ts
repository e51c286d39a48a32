// The export worker's use cases, free of Functions and Azure types:
// - handle(message): claim the report, stream its rows into a file, keep the claim alive and the
//   progress current with a heartbeat, honour cancellation, and end the report in exactly one
//   terminal state (or release it for a retry with backoff);
// - sweepExpiredLeases(): the watchdog that re-queues reports whose worker stopped heartbeating;
// - deadLettered(message): marks the report of a poison message Failed.
// Every step is idempotent on reportId: a message delivered twice finds the report claimed or finished.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { retryDelayMs } from '../domain/backoff';
import { attachmentDisposition, fileNameFor, getFormat, type FormatWriter } from '../domain/formats';
import { ProgressTracker } from '../domain/progress';
import {
  claimedUpdate,
  exportRequested,
  InvalidTransitionError,
  isTerminal,
  NO_PROGRESS,
  transition,
  type ReportDocument,
  type ReportError,
  type ReportFields,
  type ReportStatus,
} from '../domain/report';
import { getReportType, type ReportTypeDefinition } from '../domain/report-types';
import type { SourceData } from '../domain/report-types/source-data';
import { ReportTypeError } from '../domain/report-types/types';
import { writeExport } from './export-pipeline';
import { isTransient } from './failures';
import type { MessagePublisher, ReportFiles, ReportStore, Stored } from './ports';

/** The body of an `ExportRequested` message (the outbox payload). */
export const exportRequestSchema = z.object({
  tenantId: z.string().min(1),
  reportId: z.string().min(1),
  reportType: z.string().min(1),
  format: z.string().min(1),
});
export type ExportRequest = z.infer<typeof exportRequestSchema>;

/** A message the worker can never process: thrown so that the broker dead-letters it after its retries. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

export interface WorkerLog {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface ExportWorkerOptions {
  store: ReportStore;
  files: ReportFiles;
  data: SourceData;
  /** Sends the scheduled retry messages (to the same queue). */
  publisher: MessagePublisher;
  leaseSeconds: number;
  maxAttempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** Seconds a terminal report is kept (Cosmos TTL). */
  retentionSeconds: number;
  /** How often a running export renews its lease, writes progress and looks for a cancel request. */
  heartbeatMs?: number;
  reportType?: (name: string) => ReportTypeDefinition | undefined;
  format?: (name: string) => FormatWriter | undefined;
  now?: () => Date;
  newId?: () => string;
  random?: () => number;
  /**
   * Asked before a report is claimed: 'deferred' when its tenant has its share of exports running and
   * the request was put back on the queue for later (see ./fairness.ts). Unset: every report is claimed.
   */
  admission?: (report: ReportDocument) => Promise<'admit' | 'deferred'>;
  /** Called once a worker holds the claim on a report, before its export starts (telemetry). */
  onClaimed?: (report: ReportDocument) => void;
}

export type WorkOutcome =
  | 'completed'
  | 'cancelled'
  | 'failed'
  | 'retry-scheduled'
  | 'deferred'
  | 'lease-lost'
  | 'skipped-missing'
  | 'skipped-terminal'
  | 'skipped-claimed'
  | 'refused-transition';

export interface RecoveryResult {
  requeued: number;
  failed: number;
  cancelled: number;
}

/** Why a running export was stopped from outside. */
class CancelRequested extends Error {
  constructor() {
    super('the report was cancelled');
    this.name = 'CancelRequested';
  }
}
class LeaseLost extends Error {
  constructor() {
    super('the claim on the report passed to someone else');
    this.name = 'LeaseLost';
  }
}

const CLAIM_RETRIES = 5;
const WATCHDOG_BATCH = 100;

/** Where a report's file lives: `{tenantId}/{reportId}/{fileName}` in the reports container. */
export const blobNameFor = (report: Pick<ReportDocument, 'tenantId' | 'id'>, fileName: string): string =>
  `${report.tenantId}/${report.id}/${fileName}`;

export function createExportWorker(options: ExportWorkerOptions) {
  const { store, files, data, publisher } = options;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const reportTypeOf = options.reportType ?? getReportType;
  const formatOf = options.format ?? getFormat;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const random = options.random ?? Math.random;
  const leaseUntil = () => new Date(now().getTime() + options.leaseSeconds * 1000).toISOString();

  /** The report ended in `status`; throws InvalidTransitionError when it cannot end so. */
  const terminal = (doc: ReportDocument, status: ReportStatus, fields: ReportFields = {}): ReportDocument =>
    transition(doc, status, {
      ...fields,
      completedAt: now().toISOString(),
      leaseOwner: null,
      leaseExpiresAt: null,
      ttl: options.retentionSeconds,
    });

  /** The file name (and so blob name) the report's export gets, when its type and format are known. */
  function fileOf(doc: ReportDocument): string | undefined {
    const type = reportTypeOf(doc.reportType);
    const writer = formatOf(doc.format);
    return type && writer ? fileNameFor(type.name, doc.id, writer.fileExtension) : undefined;
  }

  /** Deletes whatever (partial) file a report may have; never fails the caller. */
  async function discardFile(doc: ReportDocument, log: WorkerLog): Promise<void> {
    const fileName = fileOf(doc);
    if (!fileName) return;
    try {
      await files.delete(blobNameFor(doc, fileName));
    } catch (error) {
      log.warn(`report ${doc.id}: could not delete its partial file: ${String(error)}`);
    }
  }

  /**
   * Applies `change` to the report while `owner` still holds its claim, retrying on concurrent writes
   * (a cancel request). 'lost' when the claim is gone.
   */
  async function writeClaimed(
    request: ExportRequest,
    owner: string,
    change: (doc: ReportDocument) => ReportDocument,
  ): Promise<ReportDocument | 'lost'> {
    for (let attempt = 0; attempt < CLAIM_RETRIES; attempt++) {
      const stored = await store.get(request.tenantId, request.reportId);
      if (!stored || stored.doc.status !== 'Processing' || stored.doc.leaseOwner !== owner) return 'lost';
      const result = await store.replace(change(stored.doc), stored.etag);
      if (result !== 'conflict') return result.doc;
    }
    throw new Error(`report ${request.reportId}: too many concurrent changes`);
  }

  /** Ends an unclaimed report (Pending, or Processing with a lapsed lease) if nobody changed it meanwhile. */
  async function endUnclaimed(
    stored: Stored<ReportDocument>,
    status: ReportStatus,
    fields: ReportFields,
  ): Promise<boolean> {
    return (await store.replace(terminal(stored.doc, status, fields), stored.etag)) !== 'conflict';
  }

  const failure = (code: string, message: string): ReportFields => ({
    error: { code, message } satisfies ReportError,
  });

  /** Runs a claimed report to its end. */
  async function run(claimed: ReportDocument, request: ExportRequest, log: WorkerLog): Promise<WorkOutcome> {
    const owner = claimed.leaseOwner as string;
    const tag = `report ${claimed.id} (correlation ${claimed.correlationId}, attempt ${claimed.attempts})`;
    const fail = async (code: string, message: string, extra: ReportFields = {}) => {
      const ended = await writeClaimed(request, owner, (doc) =>
        terminal(doc, 'Failed', { ...failure(code, message), ...extra }),
      );
      log.warn(`${tag}: Failed (${code}): ${message}`);
      return ended === 'lost' ? 'lease-lost' : 'failed';
    };

    const type = reportTypeOf(claimed.reportType);
    if (!type) return fail('UnknownReportType', `There is no report type '${claimed.reportType}'.`);
    const writer = formatOf(claimed.format);
    if (!writer || !type.formats.includes(writer.name)) {
      return fail('UnsupportedFormat', `The ${type.title} report cannot be exported as '${claimed.format}'.`);
    }
    const parsed = type.parameters.safeParse(claimed.parameters);
    if (!parsed.success) {
      return fail('InvalidParameters', `The report parameters are not valid: ${parsed.error.message}`);
    }
    const fileName = fileNameFor(type.name, claimed.id, writer.fileExtension);
    const blobName = blobNameFor(claimed, fileName);
    const startedMs = now().getTime();
    const controller = new AbortController();

    // Heartbeat: renew the lease, write progress (at most once per interval), notice cancel requests.
    // The first progress is written as soon as there is any, not one interval after the claim.
    let beating = true;
    let wake: (() => void) | undefined;
    const tracker = new ProgressTracker(startedMs, () => wake?.());
    const heartbeat = (async () => {
      while (beating) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, heartbeatMs).unref();
        });
        if (!beating) return;
        try {
          const current = await store.updateClaimed(
            claimed.tenantId,
            claimed.id,
            owner,
            claimedUpdate({ progress: tracker.snapshot(now().getTime()), leaseExpiresAt: leaseUntil() }),
          );
          if (current === 'lost') controller.abort(new LeaseLost());
          else if (current.cancelRequested) controller.abort(new CancelRequested());
          if (current === 'lost' || current.cancelRequested) return;
        } catch (error) {
          // The lease outlives several missed beats; the next one tries again.
          log.warn(`${tag}: heartbeat failed: ${String(error)}`);
        }
      }
    })();
    const stopHeartbeat = async () => {
      beating = false;
      wake?.();
      await heartbeat;
    };

    try {
      const result = await writeExport({
        pages: countRows(
          type.rows(parsed.data, {
            data,
            signal: controller.signal,
            progress: (done, total) => tracker.update(done, total),
          }),
          tracker,
        ),
        writer,
        columns: type.columns,
        title: type.title,
        parameters: parsed.data,
        generatedAt: new Date(startedMs),
        files,
        name: blobName,
        headers: { contentType: writer.contentType, contentDisposition: attachmentDisposition(fileName) },
        signal: controller.signal,
      });
      await stopHeartbeat();
      const ended = await writeClaimed(request, owner, (doc) =>
        terminal(doc, 'Completed', {
          rowCount: result.rowCount,
          sizeBytes: result.sizeBytes,
          fileName,
          blobName,
          progress: tracker.snapshot(now().getTime(), true),
          error: null,
        }),
      );
      if (ended === 'lost') {
        log.warn(
          `${tag}: finished the file but lost the claim before completing; the new owner completes it`,
        );
        return 'lease-lost';
      }
      log.log(
        `${tag}: Completed: ${result.rowCount} rows, ${result.sizeBytes} bytes in ${now().getTime() - startedMs} ms`,
      );
      return 'completed';
    } catch (error) {
      await stopHeartbeat();
      if (error instanceof InvalidTransitionError) {
        // A refused status write is not the export's failure: leave the report as it is (see handle).
        await discardFile(claimed, log);
        throw error;
      }
      const reason: unknown = controller.signal.reason;
      if (controller.signal.aborted && reason instanceof LeaseLost) {
        log.warn(`${tag}: stopped: the claim passed to another worker`);
        return 'lease-lost';
      }
      if (controller.signal.aborted && reason instanceof CancelRequested) {
        await discardFile(claimed, log);
        const ended = await writeClaimed(request, owner, (doc) =>
          terminal(doc, 'Cancelled', { progress: tracker.snapshot(now().getTime()) }),
        );
        log.log(`${tag}: Cancelled after ${tracker.processed} rows`);
        return ended === 'lost' ? 'lease-lost' : 'cancelled';
      }
      await discardFile(claimed, log);
      if (error instanceof ReportTypeError) return fail(error.code, error.message);
      if (isTransient(error)) {
        if (claimed.attempts >= options.maxAttempts) {
          return fail(
            'TransientFailure',
            `The export kept failing on a temporary problem after ${claimed.attempts} attempts.`,
          );
        }
        return retryLater(claimed, request, owner, error, log, tag);
      }
      log.error(`${tag}: the ${type.name} export failed`, error);
      const message = error instanceof Error ? error.message : String(error);
      return fail('ExportFailed', `The ${type.title} export failed: ${message}`);
    }
  }

  /** Puts the report back to Pending and schedules a new message after an exponential backoff. */
  async function retryLater(
    claimed: ReportDocument,
    request: ExportRequest,
    owner: string,
    error: unknown,
    log: WorkerLog,
    tag: string,
  ): Promise<WorkOutcome> {
    const delay = retryDelayMs(
      claimed.attempts,
      { baseMs: options.retryBaseSeconds * 1000, maxMs: options.retryMaxSeconds * 1000 },
      random,
    );
    const released = await writeClaimed(request, owner, (doc) =>
      transition(doc, 'Pending', { leaseOwner: null, leaseExpiresAt: null, progress: { ...NO_PROGRESS } }),
    );
    if (released === 'lost') return 'lease-lost';
    // Released first: should this send fail, the error makes the broker redeliver the current message,
    // which then finds the report Pending and claims it. Its own message id keeps duplicate detection
    // from dropping it.
    await publisher.publish([
      {
        messageId: `retry-${claimed.id}-${claimed.attempts}`,
        correlationId: claimed.correlationId,
        subject: 'ExportRequested',
        applicationProperties: { tenantId: claimed.tenantId, reportId: claimed.id },
        body: request,
        scheduledEnqueueTimeUtc: new Date(now().getTime() + delay),
      },
    ]);
    log.warn(`${tag}: temporary failure (${String(error)}); retry in ${delay} ms`);
    return 'retry-scheduled';
  }

  /** Claims the report of `request` and runs it, or settles the request when there is nothing to run. */
  async function claimAndRun(request: ExportRequest, log: WorkerLog): Promise<WorkOutcome> {
    for (let attempt = 0; attempt < CLAIM_RETRIES; attempt++) {
      const stored = await store.get(request.tenantId, request.reportId);
      if (!stored) {
        log.warn(`report ${request.reportId}: not found (deleted after retention?); message dropped`);
        return 'skipped-missing';
      }
      const doc = stored.doc;
      if (isTerminal(doc.status)) return 'skipped-terminal';
      const leaseAlive =
        doc.status === 'Processing' &&
        typeof doc.leaseExpiresAt === 'string' &&
        doc.leaseExpiresAt > now().toISOString();
      if (leaseAlive) return 'skipped-claimed';
      if (doc.cancelRequested) {
        if (!(await endUnclaimed(stored, 'Cancelled', {}))) continue;
        await discardFile(doc, log);
        return 'cancelled';
      }
      if (doc.attempts >= options.maxAttempts) {
        const message = `The export was given up after ${doc.attempts} attempts.`;
        if (!(await endUnclaimed(stored, 'Failed', failure('AttemptsExhausted', message)))) continue;
        return 'failed';
      }
      if (options.admission && (await options.admission(doc)) === 'deferred') return 'deferred';
      const claimFields: ReportFields = {
        startedAt: now().toISOString(),
        leaseOwner: newId(),
        leaseExpiresAt: leaseUntil(),
        attempts: doc.attempts + 1,
        progress: { ...NO_PROGRESS },
        error: null,
      };
      // A Pending report moves to Processing; a Processing one whose lease lapsed is taken over, which
      // changes its claim but not its status.
      const claim =
        doc.status === 'Processing' ? { ...doc, ...claimFields } : transition(doc, 'Processing', claimFields);
      const claimed = await store.replace(claim, stored.etag);
      if (claimed === 'conflict') continue;
      options.onClaimed?.(claimed.doc);
      if (doc.status === 'Processing') {
        log.warn(
          `report ${doc.id}: lease expired on attempt ${doc.attempts}; taken over by a redelivered request`,
        );
      }
      return run(claimed.doc, request, log);
    }
    throw new Error(`report ${request.reportId}: too many concurrent changes while claiming`);
  }

  return {
    /** Processes one `ExportRequested` message. Throws only for what the broker should redeliver. */
    async handle(body: unknown, log: WorkerLog): Promise<WorkOutcome> {
      const parsed = exportRequestSchema.safeParse(typeof body === 'string' ? safeJson(body) : body);
      if (!parsed.success)
        throw new PoisonMessageError(`not an ExportRequested message: ${parsed.error.message}`);
      const request = parsed.data;
      try {
        return await claimAndRun(request, log);
      } catch (error) {
        if (!(error instanceof InvalidTransitionError)) throw error;
        // A refused status change is a defect, not a passing fault: the same message would meet it again,
        // so throwing would only loop it to the dead-letter queue. The refusal comes before the write, so
        // the report is as it was: the message is settled with an error in the log. A report left claimed
        // keeps no heartbeat; its lease lapses and the watchdog re-queues it or, at the last attempt,
        // fails it.
        log.error(
          `report ${request.reportId}: status change refused (${error.message}); report left as it is, message settled`,
        );
        return 'refused-transition';
      }
    },

    /** The watchdog: Processing reports whose lease lapsed go back to the queue (through the outbox). */
    async sweepExpiredLeases(log: WorkerLog): Promise<RecoveryResult> {
      const result: RecoveryResult = { requeued: 0, failed: 0, cancelled: 0 };
      for (const stored of await store.findExpiredLeases(now(), WATCHDOG_BATCH)) {
        const doc = stored.doc;
        try {
          if (doc.cancelRequested) {
            if (await endUnclaimed(stored, 'Cancelled', {})) {
              await discardFile(doc, log);
              result.cancelled++;
            }
            continue;
          }
          if (doc.attempts >= options.maxAttempts) {
            const message = `The export stopped responding and was given up after ${doc.attempts} attempts.`;
            if (await endUnclaimed(stored, 'Failed', failure('WorkerLost', message))) result.failed++;
            continue;
          }
          // Built first, so that a refused release writes nothing, not even the outbox message.
          const release = transition(doc, 'Pending', {
            leaseOwner: null,
            leaseExpiresAt: null,
            progress: { ...NO_PROGRESS },
          });
          // The message first, then the report: a crash in between leaves an extra message, which the
          // worker handles like any duplicate (it claims the lapsed report or finds it claimed). The other
          // order could leave a Pending report with no message at all. The outbox id is fixed per attempt,
          // so a sweep that repeats this step adds nothing.
          await store.addOutbox(
            exportRequested(doc, `outbox-${doc.id}-requeue-${doc.attempts}`, now().toISOString()),
          );
          const released = await store.replace(release, stored.etag);
          if (released !== 'conflict') {
            result.requeued++;
            log.warn(`report ${doc.id}: lease expired on attempt ${doc.attempts}; re-queued`);
          }
        } catch (error) {
          if (!(error instanceof InvalidTransitionError)) throw error;
          // Refused before any write: this report stays as it is and the sweep goes on with the others.
          // Throwing would stop every sweep at this report, each minute, for good.
          log.error(
            `report ${doc.id}: watchdog status change refused (${error.message}); report left as it is`,
          );
        }
      }
      return result;
    },

    /** A request message was dead-lettered: its report (if still open) is Failed with the reason. */
    async deadLettered(
      body: unknown,
      properties: Record<string, unknown>,
      reason: string,
      log: WorkerLog,
    ): Promise<'failed' | 'skipped'> {
      const parsed = exportRequestSchema.safeParse(typeof body === 'string' ? safeJson(body) : body);
      const tenantId = parsed.success ? parsed.data.tenantId : properties.tenantId;
      const reportId = parsed.success ? parsed.data.reportId : properties.reportId;
      if (typeof tenantId !== 'string' || typeof reportId !== 'string' || !tenantId || !reportId) {
        log.error(`dead-lettered message names no report (${reason}); nothing to mark`);
        return 'skipped';
      }
      for (let attempt = 0; attempt < CLAIM_RETRIES; attempt++) {
        const stored = await store.get(tenantId, reportId);
        if (!stored || isTerminal(stored.doc.status)) return 'skipped';
        const leaseAlive =
          stored.doc.status === 'Processing' &&
          typeof stored.doc.leaseExpiresAt === 'string' &&
          stored.doc.leaseExpiresAt > now().toISOString();
        // A healthy export of the same report is under way (this was a duplicate message): leave it be.
        if (leaseAlive) return 'skipped';
        const message = `The export request could not be processed and was dead-lettered (${reason}).`;
        let ended: boolean;
        try {
          ended = await endUnclaimed(stored, 'Failed', failure('DeadLettered', message));
        } catch (error) {
          if (!(error instanceof InvalidTransitionError)) throw error;
          // Refused before the write: the report stays as it is. Throwing would only bring the same
          // dead-lettered message back to the same refusal.
          log.error(
            `report ${reportId}: status change refused (${error.message}); dead-lettered request dropped`,
          );
          return 'skipped';
        }
        if (ended) {
          log.warn(`report ${reportId}: Failed: request dead-lettered (${reason})`);
          return 'failed';
        }
      }
      throw new Error(`report ${reportId}: too many concurrent changes while failing it`);
    },
  };
}

async function* countRows<T>(pages: AsyncIterable<readonly T[]>, tracker: ProgressTracker) {
  let written = 0;
  for await (const page of pages) {
    written += page.length;
    tracker.rowsWritten(written);
    yield page;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export type ExportWorker = ReturnType<typeof createExportWorker>;
