import { describe, expect, it } from 'vitest';
import { isTransient } from '../../../src/services/failures';

describe('transient failure classification', () => {
  it.each([
    ['Cosmos throttling', { code: 429 }],
    ['a gateway timeout', { statusCode: 504 }],
    ['service unavailable', { statusCode: 503 }],
    ['a request timeout', { code: 408 }],
    ['a reset connection', { code: 'ECONNRESET' }],
    ['a refused connection', { code: 'ECONNREFUSED' }],
    ['a Service Bus busy error', { code: 'ServiceBusy' }],
    ['a retryable Service Bus error', { retryable: true, code: 'Whatever' }],
    ['a timeout by name', { name: 'TimeoutError' }],
    ['a wrapped network error', { message: 'fetch failed', cause: { code: 'ETIMEDOUT' } }],
  ])('%s is transient', (_, error) => {
    expect(isTransient(Object.assign(new Error('x'), error))).toBe(true);
  });

  it.each([
    ['a bad request', { code: 400 }],
    ['forbidden', { statusCode: 403 }],
    ['not found', { code: 404 }],
    ['a conflict', { code: 409 }],
    ['a plain bug', {}],
    ['a non-retryable Service Bus error', { retryable: false, code: 'MessagingEntityNotFound' }],
  ])('%s is not', (_, error) => {
    expect(isTransient(Object.assign(new Error('x'), error))).toBe(false);
  });

  it('is false for non-errors and does not loop on cyclic causes', () => {
    expect(isTransient(undefined)).toBe(false);
    expect(isTransient('ECONNRESET')).toBe(false);
    const cyclic: Record<string, unknown> = {};
    cyclic.cause = cyclic;
    expect(isTransient(cyclic)).toBe(false);
  });
});
