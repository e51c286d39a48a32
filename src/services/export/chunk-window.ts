// Chunked exports, the window of chunks in flight: a chunked export has at most a window of its chunk
// messages out at once (its tenant's share, see ../fairness.ts), not all of them, so the queue never
// holds a long run of one export's chunks ahead of other work. The plan sends the first window; each
// chunk, before it records Done, sends the chunks that its end lets into the window. Sending before the
// Done write means a crash between the two loses nothing: the chunk's lease lapses, it runs again and
// sends them again. Chunk messages have one id per chunk (`messageIds.chunk`), so a chunk sent twice
// is dropped by duplicate detection, or else finds its chunk claimed or Done.
import type { ChunkPlanHeader, ChunkTurn } from '../../domain/chunks';
import { messageIds } from '../../domain/message-ids';
import { exportRequestPayload, type ReportDocument } from '../../domain/report';
import type { WorkerContext } from './context';
import { retryMessage } from './messages';

/** The message id of chunk `index` of a plan. */
type ChunkMessageId = (reportId: string, planId: number, index: number) => string;

/** The chunk's one id (`messageIds.chunk`): duplicate detection drops a chunk sent twice. */
const chunkMessageId: ChunkMessageId = messageIds.chunk;

/** How many chunk messages one chunked export of the tenant may have out now (Infinity: no window). */
export const chunkWindowOf = (ctx: WorkerContext, tenantId: string): Promise<number> =>
  ctx.options.share ? ctx.options.share.chunkWindowOf(tenantId) : Promise.resolve(Number.POSITIVE_INFINITY);

/** Sends the chunk messages of `indexes` of the plan now (one id per chunk: a repeat is dropped). */
async function sendChunks(
  ctx: WorkerContext,
  report: ReportDocument,
  header: ChunkPlanHeader,
  indexes: readonly number[],
  messageId: ChunkMessageId = chunkMessageId,
): Promise<number> {
  if (indexes.length === 0) return 0;
  await ctx.publisher.publish(
    indexes.map((index) =>
      retryMessage(messageId(report.id, header.planId, index), report.correlationId, {
        ...exportRequestPayload(report),
        planId: header.planId,
        chunkIndex: index,
      }),
    ),
  );
  return indexes.length;
}

const waiting = (turns: readonly ChunkTurn[]): number[] =>
  turns.filter((turn) => turn.status === 'Pending').map((turn) => turn.index);

/**
 * Sends the chunks of the plan that `window` (see chunkWindowOf) lets out now: the waiting ones among
 * its lowest not-Done chunks. Called by a chunk once before its Done write, with `finished` its own index (it counts as Done
 * already), and once after it (chunks that finished at the same instant each saw the others running, so
 * the last one to look sends what they all let in). 'plan-done' when no chunk is left to run.
 */
export async function sendNextChunks(
  ctx: WorkerContext,
  report: ReportDocument,
  header: ChunkPlanHeader,
  window: number,
  finished?: number,
): Promise<number | 'plan-done'> {
  const chunks = ctx.chunkStore;
  if (!chunks) return 0;
  // No window: the plan sent every chunk; only whether any is left matters.
  const limit = Number.isFinite(window) ? window + 1 : 1;
  const turns = (await chunks.notDone(report.tenantId, report.id, header.planId, limit)).filter(
    (turn) => turn.index !== finished,
  );
  if (turns.length === 0) return 'plan-done';
  if (!Number.isFinite(window)) return 0;
  return sendChunks(ctx, report, header, waiting(turns.slice(0, window)));
}

/**
 * Sends every waiting chunk within the window (every waiting chunk with none): a planner taking over,
 * or the watchdog re-driving a stalled export (with message ids of its own, `messageId`).
 */
export async function sendWaitingChunks(
  ctx: WorkerContext,
  report: ReportDocument,
  header: ChunkPlanHeader,
  messageId: ChunkMessageId = chunkMessageId,
): Promise<number> {
  const chunks = ctx.chunkStore;
  if (!chunks) return 0;
  const window = Math.min(header.count, await chunkWindowOf(ctx, report.tenantId));
  const turns = await chunks.notDone(report.tenantId, report.id, header.planId, window);
  return sendChunks(ctx, report, header, waiting(turns), messageId);
}
