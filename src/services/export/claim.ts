// An `ExportRequested` message: claim the report (an etag-conditional write that takes a renewable
// lease), then run it in one pass, or plan it and fan its chunks out. A request with nothing to run
// (the report finished, claimed by a live worker, cancelled or out of attempts) is settled here.
import { InvalidTransitionError } from '../../domain/errors';
import type { ExportRequest } from '../../domain/messages';
import { isLeaseAlive, isTerminal, NO_PROGRESS, transition, type ReportFields } from '../../domain/report';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import { failure, type WorkerContext, type WorkerLog, type WorkOutcome } from './context';
import { commitClaimed } from './chunk-commit';
import { runClaimed } from './claimed-run';
import { isChunkable, planAndFanOut } from './plan';
import { runnable } from './runnable';
import { failClaimed, failedRun, renewReport, tagOf } from './report-claim';
import { runSinglePass } from './single-pass';
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
    // A chunked export under way holds no claim on the report: its chunks have theirs, and a request
    // for it is a duplicate. One that the watchdog sent again (AWAITING_TAKEOVER) is taken over: planning
    // sends the chunks still waiting, or commits when they are all Done.
    if (doc.status === 'Processing' && doc.chunkPlan && !doc.leaseOwner) return 'skipped-claimed';
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
    if (ctx.options.share && (await ctx.options.share.admit(doc)) === 'deferred') return 'deferred';
    const claimFields: ReportFields = {
      startedAt: doc.chunkPlan ? doc.startedAt : ctx.now().toISOString(),
      leaseOwner: ctx.newId(),
      leaseExpiresAt: ctx.leaseUntil(),
      attempts: doc.attempts + 1,
      progress: doc.chunkPlan ? doc.progress : { ...NO_PROGRESS },
      error: null,
      // Claimed: it holds its places again (a re-drive had set them free).
      redrivenAt: null,
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
    } else {
      log.log(`${tagOf(claimed.doc)}: claimed`);
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
  // Planning reads the source's aggregates and writes a document per chunk, under the report's claim.
  const end = await runClaimed(
    ctx,
    {
      tag: tagOf(claimed),
      renew: () => renewReport(ctx, claimed),
      work: (signal) => planAndFanOut(ctx, claimed, plan, signal, log),
    },
    log,
  );
  switch (end.kind) {
    case 'done':
      if (end.value === 'single') return runSinglePass(ctx, claimed, request, plan, log);
      if (end.value === 'commit' && claimed.chunkPlan)
        return commitClaimed(ctx, claimed, claimed.chunkPlan, log);
      return end.value === 'commit' ? 'skipped-stale' : end.value;
    case 'lease-lost':
      log.warn(`${tagOf(claimed)}: stopped planning: the claim passed to another worker`);
      return 'lease-lost';
    case 'stopped': {
      const ended = await ctx.writeClaimed(
        claimed.tenantId,
        claimed.id,
        claimed.leaseOwner as string,
        (doc) => ctx.terminal(doc, 'Cancelled', {}),
      );
      log.log(`${tagOf(claimed)}: Cancelled while planning`);
      return ended === 'lost' ? 'lease-lost' : 'cancelled';
    }
    case 'error':
      if (end.error instanceof InvalidTransitionError) throw end.error;
      return failedRun(ctx, claimed, request, end.error, log, plan);
  }
}
