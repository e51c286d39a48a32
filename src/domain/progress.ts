// Export progress: cheap to update on every page, turned into the stored Progress (percent, ETA) only
// when the worker writes it. Knows nothing of Azure SDKs.
import type { Progress } from './report';

export class ProgressTracker {
  private reported: { done: number; total: number | null } | undefined;
  private written = 0;

  private started = false;

  /**
   * `startedAtMs`: when the work began (the rate, and so the ETA, is measured from here).
   * `onFirstWork`: called once, when the first work is reported (so a caller can show it at once rather
   * than at its next periodic write).
   */
  constructor(
    private readonly startedAtMs: number,
    private readonly onFirstWork?: () => void,
  ) {}

  /** What the row source says it has done (its own unit), and its total when known. */
  update(done: number, total: number | null): void {
    this.reported = {
      done: Math.max(0, Math.floor(done)),
      total: total === null ? null : Math.max(0, Math.floor(total)),
    };
    this.noticeWork();
  }

  /** Rows written so far: the progress of a source that reports none itself. */
  rowsWritten(count: number): void {
    this.written = count;
    this.noticeWork();
  }

  private noticeWork(): void {
    if (this.started || this.processed === 0) return;
    this.started = true;
    this.onFirstWork?.();
  }

  get processed(): number {
    return this.reported?.done ?? this.written;
  }

  /**
   * The progress of a finished export whose file holds `rowCount` rows. A file cut at its format's cap
   * (`truncated`) shows the rows it holds as all there was to do: 100% of them, never the rows read up
   * to the cut, nor the source's larger total.
   */
  completed(nowMs: number, file: { rowCount: number; truncated: boolean }): Progress {
    if (!file.truncated) return this.snapshot(nowMs, true);
    return { processedRows: file.rowCount, totalRows: file.rowCount, percent: 100, etaSeconds: 0 };
  }

  /** The progress as stored, at `nowMs`. Percent has one decimal and stays below 100 until finished. */
  snapshot(nowMs: number, finished = false): Progress {
    const done = this.processed;
    const total = this.reported?.total ?? null;
    if (finished) return { processedRows: done, totalRows: total ?? done, percent: 100, etaSeconds: 0 };
    if (total === null) return { processedRows: done, totalRows: null, percent: null, etaSeconds: null };
    const ratio = total === 0 ? 1 : Math.min(done / total, 1);
    const percent = Math.min(Math.floor(ratio * 1000) / 10, 99.9);
    const elapsedMs = Math.max(nowMs - this.startedAtMs, 0);
    const etaSeconds =
      done > 0 && elapsedMs > 0
        ? Math.max(Math.ceil(((total - Math.min(done, total)) * elapsedMs) / done / 1000), 0)
        : null;
    return { processedRows: done, totalRows: total, percent, etaSeconds };
  }
}
