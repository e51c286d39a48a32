// The writes of a worker that holds a report's claim, shared by the steps that hold one (the single pass,
// planning, the commit): renew it, fail the report, or give the claim up for a retry with backoff.
import { messageIds } from '../../domain/message-ids';
import {
  claimedUpdate,
  NO_PROGRESS,
  transition,
  type ReportDocument,
  type ReportFields,
} from '../../domain/report';
import type { ExportRequest } from '../../domain/messages';
import { afterError, type Renewal } from './claimed-run';
import { failure, type WorkerContext, type WorkerLog, type WorkOutcome } from './context';
import { retryMessage } from './messages';
import type { RunnableReport } from './runnable';

export const tagOf = (doc: ReportDocument): string =>
  `report ${doc.id} (correlation ${doc.correlationId}, attempt ${doc.attempts})`;

/** Fails a report the worker holds a claim on. */
export async function failClaimed(
  ctx: WorkerContext,
  claimed: ReportDocument,
  code: string,
  message: string,
  log: WorkerLog,
  extra: ReportFields = {},
): Promise<WorkOutcome> {
  const owner = claimed.leaseOwner as string;
  const ended = await ctx.writeClaimed(claimed.tenantId, claimed.id, owner, (doc) =>
    ctx.terminal(doc, 'Failed', { ...failure(code, message), ...extra }),
  );
  log.warn(`${tagOf(claimed)}: Failed (${code}): ${message}`);
  return ended === 'lost' ? 'lease-lost' : 'failed';
}

/** Renews the claim on a report with `fields`: held, lost, or stop when a cancel was asked for. */
export async function renewReport(
  ctx: WorkerContext,
  claimed: ReportDocument,
  fields: ReportFields = {},
): Promise<Renewal> {
  const current = await ctx.store.updateClaimed(
    claimed.tenantId,
    claimed.id,
    claimed.leaseOwner as string,
    claimedUpdate({ ...fields, leaseExpiresAt: ctx.leaseUntil() }),
  );
  if (current === 'lost') return 'lost';
  return current.cancelRequested ? 'stop' : 'held';
}

/** After a run of a claimed report threw: the report fails, or (a passing fault) retries later. */
export function failedRun(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  error: unknown,
  log: WorkerLog,
  plan: RunnableReport,
): Promise<WorkOutcome> {
  return afterError(
    ctx,
    error,
    {
      tag: tagOf(claimed),
      attempts: claimed.attempts,
      where: '',
      title: plan.type.title,
      typeName: plan.type.name,
      retry: (delayMs) => retryLater(ctx, claimed, request, delayMs),
      fail: (code, message) => failClaimed(ctx, claimed, code, message, log),
    },
    log,
  );
}

/** Puts the report back to Pending and schedules a new message after `delayMs`. */
async function retryLater(
  ctx: WorkerContext,
  claimed: ReportDocument,
  request: ExportRequest,
  delayMs: number,
): Promise<WorkOutcome> {
  const released = await ctx.writeClaimed(claimed.tenantId, claimed.id, claimed.leaseOwner as string, (doc) =>
    transition(doc, 'Pending', { leaseOwner: null, leaseExpiresAt: null, progress: { ...NO_PROGRESS } }),
  );
  if (released === 'lost') return 'lease-lost';
  // Released first: should this send fail, the error makes the broker redeliver the current message,
  // which then finds the report Pending and claims it. Its own message id keeps duplicate detection
  // from dropping it.
  await ctx.publisher.publish([
    retryMessage(
      messageIds.retry(claimed.id, claimed.attempts),
      claimed.correlationId,
      request,
      new Date(ctx.now().getTime() + delayMs),
    ),
  ]);
  return 'retry-scheduled';
}
