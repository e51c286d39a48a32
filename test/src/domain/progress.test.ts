import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../src/domain/backoff';
import { ProgressTracker } from '../../../src/domain/progress';

describe('progress', () => {
  it('computes percent (one decimal, below 100 until finished) and an ETA from the rate so far', () => {
    const tracker = new ProgressTracker(0);
    tracker.update(250, 1000);
    expect(tracker.snapshot(10_000)).toEqual({
      processedRows: 250,
      totalRows: 1000,
      percent: 25,
      etaSeconds: 30,
    });
    tracker.update(999, 1000);
    expect(tracker.snapshot(10_000).percent).toBe(99.9);
    tracker.update(1000, 1000);
    expect(tracker.snapshot(10_000).percent).toBe(99.9);
    expect(tracker.snapshot(10_000, true)).toEqual({
      processedRows: 1000,
      totalRows: 1000,
      percent: 100,
      etaSeconds: 0,
    });
  });

  it('has no percent or ETA without a total, and no ETA before any work', () => {
    const tracker = new ProgressTracker(0);
    expect(tracker.snapshot(5_000)).toEqual({
      processedRows: 0,
      totalRows: null,
      percent: null,
      etaSeconds: null,
    });
    tracker.rowsWritten(42);
    expect(tracker.snapshot(5_000)).toEqual({
      processedRows: 42,
      totalRows: null,
      percent: null,
      etaSeconds: null,
    });
    expect(tracker.snapshot(5_000, true)).toEqual({
      processedRows: 42,
      totalRows: 42,
      percent: 100,
      etaSeconds: 0,
    });
    tracker.update(0, 10);
    expect(tracker.snapshot(5_000).etaSeconds).toBeNull();
  });

  it("prefers the source's own unit over rows written once it reports", () => {
    const tracker = new ProgressTracker(0);
    tracker.rowsWritten(3);
    tracker.update(5000, 20000);
    expect(tracker.processed).toBe(5000);
    expect(tracker.snapshot(1000).percent).toBe(25);
  });

  it('calls onFirstWork once, when the first work is reported', () => {
    let calls = 0;
    const tracker = new ProgressTracker(0, () => calls++);
    tracker.update(0, 100);
    tracker.rowsWritten(0);
    expect(calls).toBe(0);
    tracker.update(5, 100);
    tracker.update(9, 100);
    tracker.rowsWritten(3);
    expect(calls).toBe(1);
    const byRows = new ProgressTracker(0, () => calls++);
    byRows.rowsWritten(1);
    byRows.rowsWritten(2);
    expect(calls).toBe(2);
  });

  it('handles an empty total and more work than announced', () => {
    const tracker = new ProgressTracker(0);
    tracker.update(0, 0);
    expect(tracker.snapshot(100).percent).toBe(99.9);
    tracker.update(12, 10);
    expect(tracker.snapshot(100)).toMatchObject({ percent: 99.9, etaSeconds: 0 });
  });
});

describe('retry backoff', () => {
  const settings = { baseMs: 5000, maxMs: 300_000 };

  it('doubles per attempt up to the maximum, the upper half random', () => {
    const low = (n: number) => retryDelayMs(n, settings, () => 0);
    const high = (n: number) => retryDelayMs(n, settings, () => 0.999999);
    expect([1, 2, 3, 4].map(low)).toEqual([2500, 5000, 10_000, 20_000]);
    expect([1, 2, 3, 4].map(high)).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(low(10)).toBe(150_000);
    expect(high(10)).toBe(300_000);
    expect(high(1000)).toBe(300_000);
  });

  it('treats attempts below 1 as the first', () => {
    expect(retryDelayMs(0, settings, () => 0)).toBe(2500);
    expect(retryDelayMs(-3, settings, () => 0)).toBe(2500);
  });

  it('spreads retries of reports failing together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, settings)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(10_000);
  });
});
