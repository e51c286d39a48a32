// Virtual time for unit tests of code that waits on timers (heartbeats, slow sources): the code's own
// setTimeout and setInterval run on a clock the test moves, so a test neither sleeps nor bounds wall time.
import { vi } from 'vitest';

/**
 * Fakes the timer functions and `Date` (which reads the virtual clock): promises, process.nextTick and
 * I/O run as usual.
 */
export function useFakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** A wait on the (possibly fake) global setTimeout. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves virtual time forward `stepMs` at a time until `work` settles, and says how much virtual time it
 * took. Fails rather than spins when `work` is still running after `limitMs` of virtual time.
 */
export async function settleOnFakeTime<T>(
  work: Promise<T>,
  { stepMs = 1, limitMs = 600_000 }: { stepMs?: number; limitMs?: number } = {},
): Promise<{ value: T; elapsedMs: number }> {
  let settled = false;
  const watched = work.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  let elapsedMs = 0;
  while (!settled) {
    if (elapsedMs >= limitMs) throw new Error(`still running after ${limitMs} ms of virtual time`);
    await vi.advanceTimersByTimeAsync(stepMs);
    elapsedMs += stepMs;
  }
  return { value: await watched, elapsedMs };
}
