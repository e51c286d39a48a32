import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/telemetry';

describe('startTelemetry', () => {
  it('stays off without an Application Insights connection string (local runs, tests)', () => {
    expect(startTelemetry({})).toBe(false);
    expect(startTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: '  ' })).toBe(false);
  });
});
