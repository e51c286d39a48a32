import { describe, expect, it } from 'vitest';
import {
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
