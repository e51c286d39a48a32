// The watchdog's second pass: work that should be moving and is not. The outbox guarantees that a
// message is sent, not that the work it stands for ends: a message can leave the queue unprocessed (its
// time to live runs out, a queue is purged or re-created, an operator deletes it). Lapsed claims are the
// first pass's (watchdog.ts); this one finds what no claim stands for:
// - a Pending report not written for the grace period that could start now: its request is sent again
//   (one that waits its tenant's turn is stamped `turnCheckedAt` and looked at again a grace period on);
// - a chunked export under way whose chunks have not been written for the grace period and none of which
//   runs: its waiting chunks are sent again (or, awaiting a takeover, its request);
// - a chunked export under way with a cancel asked for and no chunk running: it ends Cancelled at once.
// Each re-drive has a new message id (duplicate detection must not drop it; the claim rules make a copy
// harmless) and is counted on the report; after `maxRedrives` the report is Failed (`Stranded`). A
// re-driven report is stamped `redrivenAt` until a worker claims it: meanwhile it holds no place in its
// user's quota or its tenant's share, so a stranded report blocks the work behind it for one grace period
// at most (a re-driven chunked export keeps the stamp until it ends).
import { messageIds } from '../../domain/message-ids';
import { AWAITING_TAKEOVER, exportRequested, type ReportDocument } from '../../domain/report';
import type { Stored } from '../ports';
import { cancelChunked } from './chunked-end';
import { sendWaitingChunks } from './chunk-window';
import { failure, type WorkerContext, type WorkerLog } from './context';

export interface ReconcileResult {
  redriven: number;
  failed: number;
  cancelled: number;
}

const RECONCILE_BATCH = 100;

export async function reconcileStalled(ctx: WorkerContext, log: WorkerLog): Promise<ReconcileResult> {
  const result: ReconcileResult = { redriven: 0, failed: 0, cancelled: 0 };
  const now = ctx.now();
  const graceMs = ctx.reconcileGraceSeconds * 1000;
  for (const stored of await ctx.store.findStalled(new Date(now.getTime() - graceMs), RECONCILE_BATCH)) {
    const doc = stored.doc;
    if (doc.status === 'Pending') {
      if (doc.cancelRequested) continue;
      if (ctx.options.share && (await ctx.options.share.waitsItsTurn(doc))) {
        // Stamped, which takes it out of the pass for another grace period: a tenant's many waiting
        // requests cost one count each per grace period, not per sweep, and never hide a stranded report
        // behind them (the pass looks at the least recently written first). A conflict: it moved.
        await ctx.store.replace({ ...doc, turnCheckedAt: now.toISOString() }, stored.etag);
        continue;
      }
      await redrive(ctx, stored, result, log, () =>
        ctx.store.addOutbox(
          exportRequested(doc, messageIds.redrive(doc.id, redrivesOf(doc)), now.toISOString()),
        ),
      );
      continue;
    }
    const header = doc.chunkPlan;
    if (!header || !ctx.chunkStore) continue;
    const activity = await ctx.chunkStore.activity(doc.tenantId, doc.id, header.planId, now);
    if (activity.running > 0) continue;
    if (doc.cancelRequested) {
      await cancelChunked(ctx, doc, log);
      result.cancelled++;
      continue;
    }
    if (activity.lastWriteMs > now.getTime() - graceMs) continue;
    await redrive(ctx, stored, result, log, async () => {
      const n = redrivesOf(doc);
      if (doc.leaseOwner === AWAITING_TAKEOVER) {
        await ctx.store.addOutbox(exportRequested(doc, messageIds.redrive(doc.id, n), now.toISOString()));
        return;
      }
      await sendWaitingChunks(ctx, doc, header, (reportId, planId, index) =>
        messageIds.chunkRedrive(reportId, planId, index, n),
      );
    });
  }
  return result;
}

const redrivesOf = (doc: ReportDocument): number => doc.redrives ?? 0;

/**
 * Sends the report's work again (`send`), then counts the re-drive on the report (which also restarts
 * its grace period); past the bound, fails it instead. The message first: a crash in between leaves an
 * extra message, which the claim rules make harmless, never a report that looks moved and is not.
 */
async function redrive(
  ctx: WorkerContext,
  stored: Stored<ReportDocument>,
  result: ReconcileResult,
  log: WorkerLog,
  send: () => Promise<unknown>,
): Promise<void> {
  const doc = stored.doc;
  if (redrivesOf(doc) >= ctx.maxRedrives) {
    const message = `The export stopped moving and was sent again ${redrivesOf(doc)} times without starting.`;
    if (await ctx.endUnclaimed(stored, 'Failed', failure('Stranded', message))) {
      result.failed++;
      log.error(`report ${doc.id}: Failed (Stranded): ${message}`);
    }
    return;
  }
  await send();
  if (
    (await ctx.store.replace(
      { ...doc, redrives: redrivesOf(doc) + 1, redrivenAt: ctx.now().toISOString() },
      stored.etag,
    )) !== 'conflict'
  ) {
    result.redriven++;
    log.warn(
      `report ${doc.id}: ${doc.status} without progress for ${ctx.reconcileGraceSeconds} s; sent again`,
    );
  }
}
