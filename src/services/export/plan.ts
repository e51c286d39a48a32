// The first step of a chunked export, run by the worker that claimed the report: make the chunk plan
// (once per report: a re-run after a crash takes the recorded one), create one chunk document per slice
// (the slice is stored there, and only there), record the plan's header on the report, send the first
// window of chunk messages through the outbox (see chunk-window.ts: each finished chunk sends the next),
// and let go of the report: from then on each chunk is claimed on its own. Every
// write is idempotent, and the order makes a crash anywhere here resumable by the watchdog, which
// re-queues the report once its lease lapses: a report with a header has all of its chunk documents.
import { chunkedProgress, newChunk, type ChunkPlanHeader } from '../../domain/chunks';
import { messageIds } from '../../domain/message-ids';
import { chunkRequested, type ReportDocument } from '../../domain/report';
import { forEachLimited } from '../concurrency';
import { isPlanDone } from './chunk-commit';
import { chunkWindowOf, sendWaitingChunks } from './chunk-window';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import type { RunnableReport } from './runnable';

/** Outbox documents written at once. */
const OUTBOX_CONCURRENCY = 8;

/** Whether this report's export is made in chunks here: its type has a plan and its format joins. */
export const isChunkable = (ctx: WorkerContext, run: RunnableReport): boolean =>
  ctx.canChunk && run.type.chunking !== undefined && run.writer.chunked !== undefined;

/**
 * Plans the report (or takes its recorded plan) and fans its chunks out; 'single' when one chunk would
 * hold everything (the caller runs it in one pass); 'commit' when the recorded plan's chunks are all Done
 * (the caller commits, under the claim it holds).
 */
export async function planAndFanOut(
  ctx: WorkerContext,
  claimed: ReportDocument,
  run: RunnableReport,
  signal: AbortSignal,
  log: WorkerLog,
): Promise<WorkOutcome | 'single' | 'commit'> {
  const chunkStore = ctx.chunkStore;
  const planner = run.type.chunking;
  if (!chunkStore || !planner) return 'single';
  const owner = claimed.leaseOwner as string;
  let header = claimed.chunkPlan;
  if (!header) {
    const plan = await planner.plan(run.parameters, {
      data: ctx.data,
      signal,
      targetRows: ctx.chunkTargetRows,
      maxChunks: ctx.chunkMaxCount,
    });
    if (plan.slices.length <= 1) return 'single';
    const planned: ChunkPlanHeader = {
      planId: claimed.attempts,
      count: plan.slices.length,
      estimatedRows: plan.estimatedRows,
    };
    // Chunk documents first: a report with a header has every chunk, and a chunk message finds its chunk.
    // A crash before the header leaves chunks no message names; the next attempt plans anew (a new plan id).
    await chunkStore.createMissing(
      plan.slices.map((slice, index) => newChunk(claimed, planned.planId, index, slice, ctx.chunkTtlSeconds)),
    );
    const startedMs = Date.parse(claimed.startedAt ?? claimed.createdAt);
    const recorded = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) => ({
      ...doc,
      chunkPlan: planned,
      progress: chunkedProgress(planned, { done: 0, rows: 0 }, startedMs, ctx.now().getTime()),
    }));
    if (recorded === 'lost') return 'lease-lost';
    header = planned;
  } else if (await isPlanDone(ctx, claimed, header)) {
    // Taken over from a committer that stopped: every chunk is Done, and only the commit is left.
    return 'commit';
  }
  const { planId, count } = header;
  let sent: number;
  if (claimed.chunkPlan) {
    // Taken over: the chunks that wait within the window are sent again (the earlier planner may have
    // stopped before it sent them; duplicate detection drops the ones that were sent).
    sent = await sendWaitingChunks(ctx, claimed, header);
  } else {
    // The first window of chunks (all of them with no window), through the outbox.
    const createdAt = ctx.now().toISOString();
    const window = Math.min(count, await chunkWindowOf(ctx, claimed.tenantId));
    sent = window;
    await forEachLimited(
      Array.from({ length: window }, (_, index) => index),
      OUTBOX_CONCURRENCY,
      (index) =>
        ctx.store.addOutbox(
          chunkRequested(claimed, planId, index, messageIds.chunk(claimed.id, planId, index), createdAt),
        ),
    );
  }
  // The report now has no claim of its own (its chunks have), so the watchdog leaves it be.
  const released = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) => ({
    ...doc,
    leaseOwner: null,
    leaseExpiresAt: null,
  }));
  log.log(
    `report ${claimed.id}: planned ${count} chunks of about ${Math.ceil(header.estimatedRows / count)} rows (plan ${planId}), ${sent} sent`,
  );
  return released === 'lost' ? 'lease-lost' : 'planned';
}
