// The watchdog's second pass: work that should be moving and is not. The outbox guarantees that a
// message is sent, not that the work it stands for ends: a message can leave the queue unprocessed (its
// time to live runs out, a queue is purged or re-created, an operator deletes it). Lapsed claims are the
// first pass's (watchdog.ts); this one finds what no claim stands for:
// - a chunked export under way with a cancel asked for and no chunk running: it ends Cancelled at once.
//   These are looked for first, in a query of their own, so that no backlog of older reports keeps a
//   cancel waiting;
// - a Pending report not written for the grace period that could start now: its request is sent again;
// - a chunked export under way whose chunks have not been written for the grace period and none of which
//   runs: its waiting chunks are sent again (or, awaiting a takeover, its request).
// Each sweep looks at the least recently written reports of each kind, `reconcileBatch` of them; whether
// a tenant's Pending reports wait their turn is counted once per tenant. When a kind's batch is full, one
// found fine (a Pending report waiting its turn, a chunked export whose chunks move) is stamped
// `checkedAt`, a write that takes it out of the pass for another grace period, so that reports behind it
// come up at the next sweeps instead of being hidden for as long as it waits.
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

export async function reconcileStalled(ctx: WorkerContext, log: WorkerLog): Promise<ReconcileResult> {
  const result: ReconcileResult = { redriven: 0, failed: 0, cancelled: 0 };
  const now = ctx.now();
  const graceMs = ctx.reconcileGraceSeconds * 1000;
  const seen = new Set<string>();
  for (const stored of await ctx.store.findCancelling(ctx.reconcileBatch)) {
    seen.add(stored.doc.id);
    await cancelIfIdle(ctx, stored.doc, now, result, log);
  }
  const stalled = await ctx.store.findStalled(new Date(now.getTime() - graceMs), ctx.reconcileBatch);
  // More reports of a kind than one sweep looks at: the ones found fine make way for the others.
  const pending = stalled.filter((s) => s.doc.status === 'Pending').length;
  const crowdedPending = pending >= ctx.reconcileBatch;
  const crowded = stalled.length - pending >= ctx.reconcileBatch;
  const waiting = new Map<string, (report: ReportDocument) => boolean>();
  for (const stored of stalled) {
    const doc = stored.doc;
    if (seen.has(doc.id)) continue;
    // The report's request, sent again with the id of this re-drive.
    const requestAgain = () =>
      ctx.store.addOutbox(
        exportRequested(doc, messageIds.redrive(doc.id, redrivesOf(doc)), now.toISOString()),
      );
    if (doc.status === 'Pending') {
      if (doc.cancelRequested) continue;
      if (ctx.options.share) {
        const waitsOf = waiting.get(doc.tenantId) ?? (await ctx.options.share.waitingOf(doc.tenantId));
        waiting.set(doc.tenantId, waitsOf);
        if (waitsOf(doc)) {
          if (crowdedPending) await checked(ctx, stored, now);
          continue;
        }
      }
      await redrive(ctx, stored, result, log, requestAgain);
      continue;
    }
    const header = doc.chunkPlan;
    if (!header || !ctx.chunkStore) continue;
    // A cancel asked for since the first query.
    if (doc.cancelRequested) {
      await cancelIfIdle(ctx, doc, now, result, log);
      continue;
    }
    const activity = await ctx.chunkStore.activity(doc.tenantId, doc.id, header.planId, now);
    if (activity.running > 0 || activity.lastWriteMs > now.getTime() - graceMs) {
      if (crowded) await checked(ctx, stored, now);
      continue;
    }
    await redrive(ctx, stored, result, log, () =>
      doc.leaseOwner === AWAITING_TAKEOVER
        ? requestAgain()
        : sendWaitingChunks(ctx, doc, header, (reportId, planId, index) =>
            messageIds.chunkRedrive(reportId, planId, index, redrivesOf(doc)),
          ),
    );
  }
  return result;
}

/**
 * Stamps a report the pass found fine, which takes it out of the pass for another grace period (the pass
 * looks at the least recently written). A conflict: it was written meanwhile, which does the same.
 */
async function checked(ctx: WorkerContext, stored: Stored<ReportDocument>, now: Date): Promise<void> {
  await ctx.store.replace({ ...stored.doc, checkedAt: now.toISOString() }, stored.etag);
}

const redrivesOf = (doc: ReportDocument): number => doc.redrives ?? 0;

/**
 * Ends a chunked export under way with a cancel asked for, unless a chunk of it runs (whose heartbeat
 * ends it). No chunk message needs to come back for it.
 */
async function cancelIfIdle(
  ctx: WorkerContext,
  doc: ReportDocument,
  now: Date,
  result: ReconcileResult,
  log: WorkerLog,
): Promise<void> {
  const header = doc.chunkPlan;
  if (!header || !ctx.chunkStore || !doc.cancelRequested) return;
  if ((await ctx.chunkStore.activity(doc.tenantId, doc.id, header.planId, now)).running > 0) return;
  await cancelChunked(ctx, doc, log);
  result.cancelled++;
}

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
