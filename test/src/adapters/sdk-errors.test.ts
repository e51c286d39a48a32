import { describe, expect, it } from 'vitest';
import { isTransientSdkError as isTransient, translateSdkError } from '../../../src/adapters/sdk-errors';
import { DependencyError, DependencyUnavailableError } from '../../../src/domain/errors';
import { isTransient as isTransientService } from '../../../src/services/failures';

describe('transient SDK error classification', () => {
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

describe('translateSdkError', () => {
  const isService = (e: object) => typeof (e as { code?: unknown }).code === 'number';

  it('makes a passing fault a DependencyUnavailableError, with the wait the service asked for', () => {
    const throttled = Object.assign(new Error('Request rate is large. ActivityId: 123'), {
      code: 429,
      retryAfterInMs: 1500,
    });
    const translated = translateSdkError(throttled, 'database', isService);
    expect(translated).toBeInstanceOf(DependencyUnavailableError);
    expect(translated).toMatchObject({ dependency: 'database', retryAfterSeconds: 2, cause: throttled });
    expect((translated as Error).message).toBe('The database is unavailable at the moment.');
  });

  it('makes any other answer of the service a DependencyError, and leaves other errors alone', () => {
    const refused = Object.assign(new Error('Forbidden. ActivityId: 123'), { code: 403 });
    expect(translateSdkError(refused, 'database', isService)).toMatchObject({
      name: 'DependencyError',
      status: 403,
      message: 'The database refused the operation (status 403).',
    });
    const own = new RangeError('a bug of ours');
    expect(translateSdkError(own, 'database', isService)).toBe(own);
    expect(isTransientService(new DependencyError('storage', 404))).toBe(false);
  });
});
