// The watchdog: claims whose worker stopped renewing them (a crash, a recycled instance) go back to the
// queue through the outbox, until the attempts run out; then the report is Failed. A report's claim
// re-queues the report; a chunk's claim re-queues that chunk alone.
import { releasedChunk, type ChunkDocument } from '../../domain/chunks';
import { InvalidTransitionError } from '../../domain/errors';
import { messageIds } from '../../domain/message-ids';
import {
  AWAITING_TAKEOVER,
  chunkRequested,
  exportRequested,
  isTerminal,
  NO_PROGRESS,
  transition,
} from '../../domain/report';
import type { Stored } from '../ports';
import { cancelChunked, failChunked } from './chunked-end';
import type { WorkerContext, WorkerLog } from './context';
import { failure } from './context';
import { reconcileStalled } from './reconcile';

export interface RecoveryResult {
  requeued: number;
  failed: number;
  cancelled: number;
  /** Stalled work sent again (reconcile.ts). */
  redriven: number;
}

const WATCHDOG_BATCH = 100;

export async function sweepExpiredLeases(ctx: WorkerContext, log: WorkerLog): Promise<RecoveryResult> {
  const result: RecoveryResult = { requeued: 0, failed: 0, cancelled: 0, redriven: 0 };
  for (const stored of await ctx.store.findExpiredLeases(ctx.now(), WATCHDOG_BATCH)) {
    const doc = stored.doc;
    try {
      if (doc.cancelRequested) {
        if (await ctx.endUnclaimed(stored, 'Cancelled', {})) {
          await ctx.discardFile(doc, log);
          result.cancelled++;
        }
        continue;
      }
      if (doc.attempts >= ctx.options.maxAttempts) {
        const message = `The export stopped responding and was given up after ${doc.attempts} attempts.`;
        if (await ctx.endUnclaimed(stored, 'Failed', failure('WorkerLost', message))) result.failed++;
        continue;
      }
      // Built first, so that a refused release writes nothing, not even the outbox message.
      // A chunked export keeps its status, and waits for the worker that takes it over.
      const release = doc.chunkPlan
        ? { ...doc, leaseOwner: AWAITING_TAKEOVER, leaseExpiresAt: null }
        : transition(doc, 'Pending', {
            leaseOwner: null,
            leaseExpiresAt: null,
            progress: { ...NO_PROGRESS },
          });
      // The message first, then the report: a crash in between leaves an extra message, which the
      // worker handles like any duplicate (it claims the lapsed report or finds it claimed). The other
      // order could leave a Pending report with no message at all. The outbox id is fixed per attempt,
      // so a sweep that repeats this step adds nothing.
      await ctx.store.addOutbox(
        exportRequested(doc, messageIds.requeue(doc.id, doc.attempts), ctx.now().toISOString()),
      );
      const released = await ctx.store.replace(release, stored.etag);
      if (released !== 'conflict') {
        result.requeued++;
        log.warn(`report ${doc.id}: lease expired on attempt ${doc.attempts}; re-queued`);
      }
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      // Refused before any write: this report stays as it is and the sweep goes on with the others.
      // Throwing would stop every sweep at this report, each minute, for good.
      log.error(`report ${doc.id}: watchdog status change refused (${error.message}); report left as it is`);
    }
  }
  if (ctx.chunkStore) {
    for (const stored of await ctx.chunkStore.findExpiredLeases(ctx.now(), WATCHDOG_BATCH)) {
      await recoverChunk(ctx, stored, result, log);
    }
  }
  // Then the work that no claim stands for (its message gone): see reconcile.ts.
  const stalled = await reconcileStalled(ctx, log);
  result.redriven += stalled.redriven;
  result.failed += stalled.failed;
  result.cancelled += stalled.cancelled;
  return result;
}

/** A chunk whose worker stopped: re-queued alone (its finished siblings are never read again). */
async function recoverChunk(
  ctx: WorkerContext,
  stored: Stored<ChunkDocument>,
  result: RecoveryResult,
  log: WorkerLog,
): Promise<void> {
  const chunk = stored.doc;
  const chunkStore = ctx.chunkStore;
  if (!chunkStore) return;
  const released = releasedChunk(chunk);
  const report = (await ctx.store.get(chunk.tenantId, chunk.reportId))?.doc;
  if (!report || isTerminal(report.status) || report.chunkPlan?.planId !== chunk.planId) {
    // Nothing left to do for it: put it to rest so that no sweep finds it again.
    await chunkStore.replace(released, stored.etag);
    return;
  }
  const request = { tenantId: chunk.tenantId, reportId: chunk.reportId };
  if (report.cancelRequested) {
    await cancelChunked(ctx, report, log);
    await chunkStore.replace(released, stored.etag);
    result.cancelled++;
    return;
  }
  if (chunk.attempts >= ctx.options.maxAttempts) {
    const message = `Part ${chunk.index + 1} of the export stopped responding and was given up after ${chunk.attempts} attempts.`;
    await failChunked(ctx, request, 'WorkerLost', message, log);
    await chunkStore.replace(released, stored.etag);
    result.failed++;
    return;
  }
  // As for reports: the message first, then the release.
  await ctx.store.addOutbox(
    chunkRequested(
      report,
      chunk.planId,
      chunk.index,
      messageIds.chunkRequeue(chunk.reportId, chunk.planId, chunk.index, chunk.attempts),
      ctx.now().toISOString(),
    ),
  );
  if ((await chunkStore.replace(released, stored.etag)) !== 'conflict') {
    result.requeued++;
    log.warn(
      `report ${chunk.reportId} chunk ${chunk.index}: lease expired on attempt ${chunk.attempts}; re-queued`,
    );
  }
}
