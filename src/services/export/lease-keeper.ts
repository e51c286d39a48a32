// Keeps a claim alive while its work runs: one beat per interval renews the lease (and writes progress),
// an early beat can be asked for (the first progress), and a beat can stop the work from outside. Every
// run under a claim uses it through `runClaimed` (./claimed-run.ts).

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
