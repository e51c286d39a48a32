// Every backoff of the service, as named strategies in one place:
// - `retryDelayMs`: exponential with "equal jitter" (half the delay fixed, half random), for the retry of
//   an export after a passing fault, so that reports failing together spread out instead of arriving in
//   waves;
// - `retryDelayAfterFailure`: exponential without jitter, for the outbox sweeper's retries of a document
//   whose relay failed (documents that failed together are due together and go out in one sweep);
// - `deferralDelayMs`: linear by round, for a request fairness puts back (see src/services/fairness.ts).
// Knows nothing of Azure SDKs.

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

/**
 * The longest delay `retryDelayMs` can give when a report has `maxAttempts` attempts: the retry after
 * attempt `maxAttempts - 1` (the last attempt is not retried). 0 when there is no retry.
 */
export function longestRetryDelayMs(maxAttempts: number, settings: BackoffSettings): number {
  if (maxAttempts < 2) return 0;
  return Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(maxAttempts - 2, 30));
}

/**
 * How long after its failure number `attempts + 1` a document waits for the next try:
 * min(max, base * 2^attempts), so base, 2 base, 4 base, ... up to max. No jitter.
 */
export function retryDelayAfterFailure(attempts: number, baseMs: number, maxMs: number): number {
  const exponent = Number.isFinite(attempts) ? Math.min(Math.max(Math.floor(attempts), 0), 30) : 0;
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

/**
 * How long a request with `ahead` reports ahead of it waits before it is delivered again: a request
 * whose turn comes in the next round (ahead < 2 cap) waits `deferMs`, one a round further back twice
 * that, and so on, up to `maxDeferMs`. Requests far back are so not re-delivered (and counted) on
 * every round; the ones next in line are back soon after a place frees up.
 */
export function deferralDelayMs(ahead: number, cap: number, deferMs: number, maxDeferMs: number): number {
  if (cap < 1 || ahead < cap) return 0;
  const rounds = Math.floor((ahead - cap) / cap) + 1;
  return Math.min(maxDeferMs, deferMs * rounds);
}
