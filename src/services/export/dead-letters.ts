// A request message was dead-lettered (it failed every delivery, or expired): its report, if still open
// and nobody is healthily working on it, is Failed with the dead-letter reason.
import { InvalidTransitionError } from '../../domain/errors';
import { isLeaseAlive, isTerminal } from '../../domain/report';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import { failure, type WorkerContext, type WorkerLog } from './context';
import { reportNamedBy } from './messages';

export async function deadLettered(
  ctx: WorkerContext,
  body: unknown,
  properties: Record<string, unknown>,
  reason: string,
  log: WorkerLog,
): Promise<'failed' | 'skipped'> {
  const named = reportNamedBy(body, properties);
  if (!named) {
    log.error(`dead-lettered message names no report (${reason}); nothing to mark`);
    return 'skipped';
  }
  const { tenantId, reportId } = named;
  return retryOnConflict(`report ${reportId} dead letter`, async () => {
    const stored = await ctx.store.get(tenantId, reportId);
    if (!stored || isTerminal(stored.doc.status)) return 'skipped';
    // A healthy export of the same report is under way (this was a duplicate message): leave it be.
    if (isLeaseAlive(stored.doc, ctx.now())) return 'skipped';
    const message = `The export request could not be processed and was dead-lettered (${reason}).`;
    let ended: boolean;
    try {
      ended = await ctx.endUnclaimed(stored, 'Failed', failure('DeadLettered', message));
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      // Refused before the write: the report stays as it is. Throwing would only bring the same
      // dead-lettered message back to the same refusal.
      log.error(
        `report ${reportId}: status change refused (${error.message}); dead-lettered request dropped`,
      );
      return 'skipped';
    }
    if (!ended) return CONFLICT;
    log.warn(`report ${reportId}: Failed: request dead-lettered (${reason})`);
    return 'failed';
  });
}
