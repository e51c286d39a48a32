// An `ExportRequested` message: claim the report (an etag-conditional write that takes a renewable
// lease), then run it in one pass, or plan it and fan its chunks out. A request with nothing to run
// (the report finished, claimed by a live worker, cancelled or out of attempts) is settled here.
import {
  InvalidTransitionError,
  isLeaseAlive,
  isTerminal,
  NO_PROGRESS,
  transition,
  type ReportFields,
} from '../../domain/report';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import { failure, type WorkerContext, type WorkerLog, type WorkOutcome } from './context';
import { keepClaim } from './lease-keeper';
import type { ExportRequest } from './messages';
import { fanOut, isChunkable, planOf } from './plan';
import { failClaimed, failedRun, runnable, runSinglePass } from './single-pass';
import type { ReportDocument } from '../../domain/report';

export function claimAndRun(
  ctx: WorkerContext,
  request: ExportRequest,
  log: WorkerLog,
): Promise<WorkOutcome> {
  return retryOnConflict(`report ${request.reportId} claim`, async () => {
    const stored = await ctx.store.get(request.tenantId, request.reportId);
    if (!stored) {
      log.warn(`report ${request.reportId}: not found (deleted after retention?); message dropped`);
      return 'skipped-missing';
    }
    const doc = stored.doc;
    if (isTerminal(doc.status)) return 'skipped-terminal';
    if (isLeaseAlive(doc, ctx.now())) return 'skipped-claimed';
    // A chunked export under way holds no claim on the report: its chunks have theirs.
    if (doc.status === 'Processing' && doc.chunks && !doc.leaseOwner) return 'skipped-claimed';
    if (doc.cancelRequested) {
      if (!(await ctx.endUnclaimed(stored, 'Cancelled', {}))) return CONFLICT;
      await ctx.discardFile(doc, log);
      return 'cancelled';
    }
    if (doc.attempts >= ctx.options.maxAttempts) {
      const message = `The export was given up after ${doc.attempts} attempts.`;
      if (!(await ctx.endUnclaimed(stored, 'Failed', failure('AttemptsExhausted', message)))) return CONFLICT;
      return 'failed';
    }
    if (ctx.options.admission && (await ctx.options.admission(doc)) === 'deferred') return 'deferred';
    const claimFields: ReportFields = {
      startedAt: doc.chunks ? doc.startedAt : ctx.now().toISOString(),
      leaseOwner: ctx.newId(),
      leaseExpiresAt: ctx.leaseUntil(),
      attempts: doc.attempts + 1,
      progress: doc.chunks ? doc.progress : { ...NO_PROGRESS },
      error: null,
    };
    // A Pending report moves to Processing; a Processing one whose lease lapsed is taken over, which
    // changes its claim but not its status.
    const claim =
      doc.status === 'Processing' ? { ...doc, ...claimFields } : transition(doc, 'Processing', claimFields);
    const claimed = await ctx.store.replace(claim, stored.etag);
    if (claimed === 'conflict') return CONFLICT;
    ctx.options.onClaimed?.(claimed.doc);
    if (doc.status === 'Processing') {
      log.warn(
        `report ${doc.id}: lease expired on attempt ${doc.attempts}; taken over by a redelivered request`,
      );
    }
    return run(ctx, claimed.doc, request, log);
  });
}

async function run(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  log: WorkerLog,
): Promise<WorkOutcome> {
  const plan = runnable(ctx, claimed);
  if (!plan.ok) return failClaimed(ctx, claimed, plan.code, plan.message, log);
  if (!isChunkable(ctx, plan)) return runSinglePass(ctx, claimed, request, plan, log);
  // Planning reads counts and writes a document per chunk: the lease is kept alive meanwhile.
  const keeper = keepClaim(ctx, claimed, {
    onError: (error) => log.warn(`report ${claimed.id}: heartbeat failed while planning: ${String(error)}`),
  });
  keeper.start();
  let chunks;
  try {
    chunks = await planOf(ctx, claimed, plan);
    if (chunks !== 'single') return await fanOut(ctx, claimed, chunks, log);
  } catch (error) {
    if (error instanceof InvalidTransitionError) throw error;
    return failedRun(ctx, claimed, request, error, log, plan.type.title, plan.type.name);
  } finally {
    await keeper.stop();
  }
  return runSinglePass(ctx, claimed, request, plan, log);
}
