// The export worker's use cases, free of Functions and Azure types, one module per lifecycle step in
// ./export/:
// - messages.ts: what the queue carries (ExportRequested, ExportChunkRequested) and the retry messages;
// - claim.ts: claim a report (etag-conditional, with a lease) and run it, or settle the request;
// - single-pass.ts: stream the rows into one upload, with a heartbeat, cancel, retries and the end write;
// - plan.ts, chunk-claim.ts, chunk-run.ts, chunk-commit.ts, chunked-end.ts: chunked exports (plan and
//   fan-out, claim a chunk, run it, the one commit, the report's end write);
// - chunk-window.ts: the chunks a chunked export has out at once, and the ones each finished chunk sends;
// - lease-keeper.ts: the heartbeat that keeps a claim alive;
// - watchdog.ts: re-queue lapsed claims; dead-letters.ts: fail the report of a poison message.
// Every step is idempotent on reportId: a message delivered twice finds the report claimed or finished.
import { InvalidTransitionError } from '../domain/errors';
import { handleChunk } from './export/chunk-run';
import { claimAndRun } from './export/claim';
import { WorkerContext, type ExportWorkerOptions, type WorkerLog, type WorkOutcome } from './export/context';
import { deadLettered } from './export/dead-letters';
import { parseWorkItem } from './export/messages';
import { sweepExpiredLeases, type RecoveryResult } from './export/watchdog';

export type { ExportWorkerOptions, WorkerLog, WorkOutcome } from './export/context';
export type { RecoveryResult } from './export/watchdog';

/** The outcomes after which the report no longer holds its tenant's place. */
const ENDED: ReadonlySet<WorkOutcome> = new Set(['completed', 'failed', 'cancelled']);

export function createExportWorker(options: ExportWorkerOptions) {
  const ctx = new WorkerContext(options);
  /**
   * The export ended: its tenant's next waiting requests take its place at once. Should this step fail,
   * they are not lost: each waiting request has a deferral scheduled, which admits it then.
   */
  const freePlace = async (request: { tenantId: string; reportId: string }, log: WorkerLog) => {
    try {
      const sent = (await options.share?.placeFreed(request.tenantId, request.reportId)) ?? 0;
      if (sent > 0) log.log(`report ${request.reportId}: its place went to ${sent} waiting request(s)`);
    } catch (error) {
      log.warn(
        `report ${request.reportId}: could not send the next waiting request (${String(error)}); its deferral will`,
      );
    }
  };
  return {
    /** Processes one queue message. Throws only for what the broker should redeliver. */
    async handle(body: unknown, log: WorkerLog): Promise<WorkOutcome> {
      const item = parseWorkItem(body);
      try {
        const outcome =
          item.kind === 'chunk'
            ? await handleChunk(ctx, item.request, log)
            : await claimAndRun(ctx, item.request, log);
        if (ENDED.has(outcome)) await freePlace(item.request, log);
        return outcome;
      } catch (error) {
        if (!(error instanceof InvalidTransitionError)) throw error;
        // A refused status change is a defect, not a passing fault: the same message would meet it again,
        // so throwing would only loop it to the dead-letter queue. The refusal comes before the write, so
        // the report is as it was: the message is settled with an error in the log. A report left claimed
        // keeps no heartbeat; its lease lapses and the watchdog re-queues it or, at the last attempt,
        // fails it.
        log.error(
          `report ${item.request.reportId}: status change refused (${error.message}); report left as it is, message settled`,
        );
        return 'refused-transition';
      }
    },

    /** The watchdog: lapsed claims go back to the queue (through the outbox). */
    sweepExpiredLeases: (log: WorkerLog): Promise<RecoveryResult> => sweepExpiredLeases(ctx, log),

    /** A request message was dead-lettered: its report (if still open) is Failed with the reason. */
    deadLettered: (
      body: unknown,
      properties: Record<string, unknown>,
      reason: string,
      log: WorkerLog,
    ): Promise<'failed' | 'skipped'> => deadLettered(ctx, body, properties, reason, log),
  };
}

export type ExportWorker = ReturnType<typeof createExportWorker>;
