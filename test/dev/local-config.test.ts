import { describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../dev/local-config';
import { ConfigError } from '../../src/config';

describe('loadLocalConfig', () => {
  it('reads the queue options and the leases container, with defaults', () => {
    expect(loadLocalConfig({})).toEqual({
      queue: { maxDeliveryCount: 10, lockDurationSeconds: 60, duplicateDetectionWindowMinutes: 10 },
      leasesContainer: 'leases',
    });
    expect(
      loadLocalConfig({
        SERVICEBUS_MAX_DELIVERY_COUNT: '3',
        SERVICEBUS_LOCK_DURATION_SECONDS: '5',
        SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES: '',
        COSMOS_LEASES_CONTAINER: 'leases-2',
      }),
    ).toEqual({
      queue: { maxDeliveryCount: 3, lockDurationSeconds: 5, duplicateDetectionWindowMinutes: 10 },
      leasesContainer: 'leases-2',
    });
  });

  it('names every malformed setting at once', () => {
    let problems: string[] = [];
    try {
      loadLocalConfig({ SERVICEBUS_LOCK_DURATION_SECONDS: '1', COSMOS_LEASES_CONTAINER: 'Leases' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/^SERVICEBUS_LOCK_DURATION_SECONDS: /m);
    expect(problems.join('\n')).toMatch(/^COSMOS_LEASES_CONTAINER: must be 3-63 lowercase/m);
  });
});
