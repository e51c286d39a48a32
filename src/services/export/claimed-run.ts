// One run under a claim, the same for a single pass, for planning and for a chunk: a heartbeat renews the
// claim's lease each interval (and looks for a cancel); the work gets a signal that aborts when the claim
// is lost or the report must stop; how the run ended is decoded here; and what follows an error (fail the
// report, or retry later with backoff) is decided by one rule. The callers only say how to renew their
// claim, what the work is, and what a retry and a failure write.
import { retryDelayMs } from '../../domain/backoff';
import { CancelRequested, LeaseLost, ReportTypeError } from '../../domain/errors';
import { isTransient } from '../failures';
import type { WorkerContext, WorkerLog, WorkOutcome } from './context';
import { LeaseKeeper } from './lease-keeper';

/** What a renewal found: the claim is held, it passed to another worker, or the work must stop (cancel). */
export type Renewal = 'held' | 'lost' | 'stop';

export interface ClaimedRun<T> {
  /** Names the run in the log. */
  tag: string;
  /** Renews the lease, with whatever progress goes with it. */
  renew(): Promise<Renewal>;
  /** The work; `beatNow` asks for a renewal before the interval ends (the first progress). */
  work(signal: AbortSignal, beatNow: () => void): Promise<T>;
}

export type RunEnd<T> =
  | { kind: 'done'; value: T }
  | { kind: 'lease-lost' }
  | { kind: 'stopped' }
  | { kind: 'error'; error: unknown };

/** Runs `run.work` under a heartbeat; the heartbeat has stopped when this returns. */
export async function runClaimed<T>(
  ctx: WorkerContext,
  run: ClaimedRun<T>,
  log: WorkerLog,
): Promise<RunEnd<T>> {
  const controller = new AbortController();
  const keeper = new LeaseKeeper({
    intervalMs: ctx.heartbeatMs,
    beat: async () => {
      const renewal = await run.renew();
      if (renewal === 'lost') controller.abort(new LeaseLost());
      else if (renewal === 'stop') controller.abort(new CancelRequested());
      return renewal === 'held' ? 'continue' : 'stop';
    },
    onError: (error) => log.warn(`${run.tag}: heartbeat failed: ${String(error)}`),
  });
  keeper.start();
  try {
    const value = await run.work(controller.signal, () => keeper.wake());
    return { kind: 'done', value };
  } catch (error) {
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted && reason instanceof LeaseLost) return { kind: 'lease-lost' };
    if (controller.signal.aborted && reason instanceof CancelRequested) return { kind: 'stopped' };
    return { kind: 'error', error };
  } finally {
    await keeper.stop();
  }
}

/** What failed, and the two ways out the retry rule may take. */
export interface FailedRun {
  tag: string;
  /** Claims so far of what failed (the report, or the chunk). */
  attempts: number;
  /** Where it failed, for the user's message: '' for a whole report, ' at part 3' for a chunk. */
  where: string;
  title: string;
  typeName: string;
  /** Gives up the claim and sends the work again after `delayMs`. */
  retry(delayMs: number): Promise<WorkOutcome>;
  /** Ends the report Failed. */
  fail(code: string, message: string): Promise<WorkOutcome>;
}

/** The delay before the retry after `attempts` attempts: exponential, with jitter. */
const retryDelay = (ctx: WorkerContext, attempts: number): number =>
  retryDelayMs(
    attempts,
    { baseMs: ctx.options.retryBaseSeconds * 1000, maxMs: ctx.options.retryMaxSeconds * 1000 },
    ctx.random,
  );

/**
 * The retry rule: a report type's own error fails the report with its code and message; a passing fault
 * retries after a backoff while attempts are left, then fails (`TransientFailure`); anything else fails
 * the report (`ExportFailed`) with the error's message.
 */
export async function afterError(
  ctx: WorkerContext,
  error: unknown,
  failed: FailedRun,
  log: WorkerLog,
): Promise<WorkOutcome> {
  if (error instanceof ReportTypeError) return failed.fail(error.code, error.message);
  if (isTransient(error)) {
    if (failed.attempts >= ctx.options.maxAttempts) {
      return failed.fail(
        'TransientFailure',
        `The export kept failing on a temporary problem after ${failed.attempts} attempts${failed.where}.`,
      );
    }
    const delay = retryDelay(ctx, failed.attempts);
    const outcome = await failed.retry(delay);
    if (outcome === 'retry-scheduled')
      log.warn(`${failed.tag}: temporary failure (${String(error)}); retry in ${delay} ms`);
    return outcome;
  }
  log.error(`${failed.tag}: the ${failed.typeName} export failed`, error);
  const message = error instanceof Error ? error.message : String(error);
  return failed.fail('ExportFailed', `The ${failed.title} export failed: ${message}`);
}
