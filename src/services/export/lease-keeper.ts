// Keeps a claim alive while its work runs: one beat per interval renews the lease (and writes progress),
// an early beat can be asked for (the first progress), and a beat can stop the work from outside.
// `keepClaim` is the keeper of a claimed report (one pass, and planning); a chunk's run keeps its chunk.
import { claimedUpdate, type ReportDocument, type ReportFields } from '../../domain/report';
import type { WorkerContext } from './context';

export interface LeaseKeeperOptions {
  intervalMs: number;
  /** One renewal. 'stop' ends the beating (the claim is gone or the work must stop). */
  beat(): Promise<'continue' | 'stop'>;
  /** A renewal that threw; the lease outlives several missed beats, so the next one tries again. */
  onError(error: unknown): void;
}

export class LeaseKeeper {
  private beating = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaseKeeperOptions) {}

  start(): void {
    if (this.beating) return;
    this.beating = true;
    this.loop = this.run();
  }

  /** Beat now rather than at the end of the interval. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops beating and waits for a beat in flight. */
  async stop(): Promise<void> {
    this.beating = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.beating) {
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        setTimeout(resolve, this.options.intervalMs).unref();
      });
      if (!this.beating) return;
      try {
        if ((await this.options.beat()) === 'stop') return;
      } catch (error) {
        this.options.onError(error);
      }
    }
  }
}

export interface ClaimBeat {
  /** Fields written with each renewal (such as progress), read at each beat. */
  fields?: () => ReportFields;
  /** What the renewal found: the report as written, or 'lost' when another worker took the claim. */
  renewed?: (current: ReportDocument | 'lost') => 'continue' | 'stop';
  onError: (error: unknown) => void;
}

/**
 * The keeper of a report the worker holds a claim on: each beat renews the report's lease (with
 * `fields()`) while `claimed.leaseOwner` still holds it, and stops once the claim is lost, or when
 * `renewed` says so.
 */
export function keepClaim(ctx: WorkerContext, claimed: ReportDocument, options: ClaimBeat): LeaseKeeper {
  const owner = claimed.leaseOwner as string;
  return new LeaseKeeper({
    intervalMs: ctx.heartbeatMs,
    beat: async () => {
      const current = await ctx.store.updateClaimed(
        claimed.tenantId,
        claimed.id,
        owner,
        claimedUpdate({ ...options.fields?.(), leaseExpiresAt: ctx.leaseUntil() }),
      );
      if (options.renewed) return options.renewed(current);
      return current === 'lost' ? 'stop' : 'continue';
    },
    onError: options.onError,
  });
}
