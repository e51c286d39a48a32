import { describe, expect, it } from 'vitest';
import {
  BrokerUnavailableError,
  DependencyError,
  DependencyUnavailableError,
  TooManyConflictsError,
} from '../../../src/domain/errors';
import { isTransient } from '../../../src/services/failures';

describe('isTransient', () => {
  it('is true for the app errors that mean a dependency is down for a moment', () => {
    expect(isTransient(new DependencyUnavailableError('database'))).toBe(true);
    expect(isTransient(new BrokerUnavailableError('Service Bus unavailable'))).toBe(true);
  });

  it('is false for everything else, SDK-shaped errors included: adapters translate those', () => {
    expect(isTransient(new DependencyError('storage', 404))).toBe(false);
    expect(isTransient(Object.assign(new Error('throttled'), { code: 429 }))).toBe(false);
    expect(isTransient(new Error('a bug'))).toBe(false);
    expect(isTransient(new TooManyConflictsError('report r1'))).toBe(true);
    expect(isTransient(undefined)).toBe(false);
  });
});
