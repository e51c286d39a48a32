// How often the page asks about the reports it shows. No DOM here.

/** While a report is being exported, progress moves every few seconds (the workers' heartbeats). */
export const PROCESSING_POLL_MS = 1_000;
/** A Pending report waits for the relay and a worker: a few seconds between looks are enough. */
export const PENDING_POLL_MS = 2_500;
/**
 * Right after the page creates a report, the relay and a worker usually pick it up within a second:
 * look every half second for the first few seconds, so it does not show "Waiting to start" for long.
 */
export const JUST_CREATED_POLL_MS = 500;
/** How long after a create the page keeps looking that often. */
export const JUST_CREATED_WINDOW_MS = 5_000;
/** The longest wait, after repeated failures or while the page is hidden. */
export const MAX_POLL_MS = 30_000;
/** How much slower polling gets while the page is in a background tab. */
const HIDDEN_FACTOR = 5;

export interface PollState {
  /** Statuses of the reports on the page. */
  statuses: readonly string[];
  /** The page is not visible (a background tab). */
  hidden?: boolean;
  /** Polls that failed in a row (network or server errors). */
  failures?: number;
  /** Milliseconds since the page last created a report (absent: it has not). */
  sinceCreateMs?: number;
}

/**
 * Milliseconds until the next poll, or null when nothing is active (every report is Completed, Failed
 * or Cancelled): fastest while a report the page just created is Pending, fast while something is
 * Processing, slower while only Pending; backing off after failures and while hidden.
 */
export function nextPollDelay({
  statuses,
  hidden = false,
  failures = 0,
  sinceCreateMs,
}: PollState): number | null {
  let delay: number;
  const justCreated = sinceCreateMs !== undefined && sinceCreateMs < JUST_CREATED_WINDOW_MS;
  if (justCreated && statuses.includes('Pending')) delay = JUST_CREATED_POLL_MS;
  else if (statuses.includes('Processing')) delay = PROCESSING_POLL_MS;
  else if (statuses.includes('Pending')) delay = PENDING_POLL_MS;
  else return null;
  if (failures > 0) delay *= 2 ** Math.min(failures, 10);
  if (hidden) delay *= HIDDEN_FACTOR;
  return Math.min(delay, MAX_POLL_MS);
}

export const isActive = (status: string): boolean => status === 'Pending' || status === 'Processing';
