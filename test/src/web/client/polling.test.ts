import { describe, expect, it } from 'vitest';
import {
  JUST_CREATED_POLL_MS,
  JUST_CREATED_WINDOW_MS,
  MAX_POLL_MS,
  nextPollDelay,
  PENDING_POLL_MS,
  PROCESSING_POLL_MS,
} from '../../../../src/web/client/polling';

describe('nextPollDelay', () => {
  it('polls every second while anything is Processing', () => {
    expect(PROCESSING_POLL_MS).toBe(1_000);
    expect(nextPollDelay({ statuses: ['Completed', 'Processing', 'Pending'] })).toBe(1_000);
  });

  it('polls every 2-3 s while reports are only Pending', () => {
    expect(PENDING_POLL_MS).toBeGreaterThanOrEqual(2_000);
    expect(PENDING_POLL_MS).toBeLessThanOrEqual(3_000);
    expect(nextPollDelay({ statuses: ['Pending', 'Failed'] })).toBe(PENDING_POLL_MS);
  });

  it('looks every half second for the first seconds after the page created a report', () => {
    expect(JUST_CREATED_POLL_MS).toBeLessThanOrEqual(500);
    expect(nextPollDelay({ statuses: ['Pending'], sinceCreateMs: 0 })).toBe(JUST_CREATED_POLL_MS);
    expect(nextPollDelay({ statuses: ['Pending', 'Processing'], sinceCreateMs: 1_000 })).toBe(
      JUST_CREATED_POLL_MS,
    );
    expect(nextPollDelay({ statuses: ['Pending'], sinceCreateMs: JUST_CREATED_WINDOW_MS })).toBe(
      PENDING_POLL_MS,
    );
    expect(nextPollDelay({ statuses: ['Processing'], sinceCreateMs: 0 })).toBe(PROCESSING_POLL_MS);
    expect(nextPollDelay({ statuses: ['Completed'], sinceCreateMs: 0 })).toBeNull();
  });

  it('stops once every report is finished', () => {
    expect(nextPollDelay({ statuses: ['Completed', 'Failed', 'Cancelled'] })).toBeNull();
    expect(nextPollDelay({ statuses: [] })).toBeNull();
  });

  it('backs off after failures and while the page is hidden, up to a limit', () => {
    expect(nextPollDelay({ statuses: ['Processing'], failures: 2 })).toBe(4_000);
    expect(nextPollDelay({ statuses: ['Processing'], hidden: true })).toBe(5_000);
    expect(nextPollDelay({ statuses: ['Pending'], failures: 20, hidden: true })).toBe(MAX_POLL_MS);
  });
});
