// Retry delays: exponential backoff with "equal jitter" (half the delay fixed, half random), so that
// retries of many reports failing together spread out instead of arriving in waves.

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 = the first retry): min(max, base * 2^(attempt-1)), of
 * which the upper half is random. `random` returns a number in [0, 1).
 */
export function retryDelayMs(
  attempt: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
