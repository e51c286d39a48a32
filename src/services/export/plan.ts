// The first step of a chunked export, run by the worker that claimed the report: make the chunk plan
// (once per report: a re-run after a crash takes the recorded one), write it on the report, create a
// chunk document and an outbox message per chunk, and let go of the report: from then on each chunk is
// claimed on its own. Every write is idempotent, so a crash anywhere here is resumed by the watchdog,
// which re-queues the report once its lease lapses.
import { chunkedProgress, newChunk, type ChunkedExport } from '../../domain/chunks';
import { chunkRequested, type ReportDocument } from '../../domain/report';
import { forEachLimited } from '../concurrency';
import { chunkTtl } from './chunk-claim';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import type { Runnable } from './single-pass';

/** Outbox documents written at once. */
const OUTBOX_CONCURRENCY = 8;

export type Chunkable = Extract<Runnable, { ok: true }>;

/** Whether this report's export is made in chunks here: its type has a plan and its format joins. */
export const isChunkable = (ctx: WorkerContext, run: Chunkable): boolean =>
  ctx.canChunk && run.type.chunking !== undefined && run.writer.chunked !== undefined;

/** The report's plan: the recorded one, or a new one; 'single' when one chunk would hold everything. */
export async function planOf(
  ctx: WorkerContext,
  claimed: ReportDocument,
  run: Chunkable,
): Promise<ChunkedExport | 'single'> {
  if (claimed.chunks) return claimed.chunks;
  const planner = run.type.chunking;
  if (!planner) return 'single';
  const plan = await planner.plan(run.parameters, {
    data: ctx.data,
    signal: new AbortController().signal,
    targetRows: ctx.chunkTargetRows,
    maxChunks: ctx.chunkMaxCount,
  });
  if (plan.slices.length <= 1) return 'single';
  return {
    planId: claimed.attempts,
    slices: plan.slices,
    estimatedRows: plan.estimatedRows,
    results: plan.slices.map(() => null),
  };
}

/** Records the plan, fans the chunks out through the outbox, and releases the report. */
export async function fanOut(
  ctx: WorkerContext,
  claimed: ReportDocument,
  plan: ChunkedExport,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const owner = claimed.leaseOwner as string;
  const startedMs = Date.parse(claimed.startedAt ?? claimed.createdAt);
  if (!claimed.chunks) {
    const recorded = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) => ({
      ...doc,
      chunks: plan,
      progress: chunkedProgress(plan, startedMs, ctx.now().getTime()),
    }));
    if (recorded === 'lost') return 'lease-lost';
  }
  const chunkStore = ctx.chunkStore;
  if (!chunkStore) throw new Error('chunked exports need a chunk store');
  // Chunk documents first: a chunk message always finds its chunk.
  await chunkStore.createMissing(
    plan.slices.map((slice, index) => newChunk(claimed, plan.planId, index, slice, chunkTtl(ctx))),
  );
  const createdAt = ctx.now().toISOString();
  await forEachLimited(
    plan.slices.map((_, index) => index),
    OUTBOX_CONCURRENCY,
    (index) =>
      ctx.store.addOutbox(
        chunkRequested(
          claimed,
          plan.planId,
          index,
          `outbox-${claimed.id}-p${plan.planId}-c${index}`,
          createdAt,
        ),
      ),
  );
  // The report now has no claim of its own (its chunks have), so the watchdog leaves it be.
  const released = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) => ({
    ...doc,
    leaseOwner: null,
    leaseExpiresAt: null,
  }));
  log.log(
    `report ${claimed.id}: planned ${plan.slices.length} chunks of about ${Math.ceil(plan.estimatedRows / plan.slices.length)} rows (plan ${plan.planId})`,
  );
  return released === 'lost' ? 'lease-lost' : 'planned';
}
