// The HTTP boundary on its own: what a thrown error becomes, and the headers every answer gets.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { DependencyError, DependencyUnavailableError } from '../../../src/domain/errors';
import { guardHttp, OUTAGE_RETRY_AFTER_SECONDS } from '../../../src/http/boundary';

const logged: unknown[][] = [];
const context = () =>
  new InvocationContext({ logHandler: (_level, ...args: unknown[]) => logged.push(args) });
const request = () =>
  new HttpRequest({ method: 'GET', url: 'http://h/api/x', headers: { 'x-correlation-id': 'corr-1' } });

const failingWith = (error: unknown) =>
  guardHttp(() => Promise.reject(error instanceof Error ? error : new Error(String(error))));

describe('guardHttp', () => {
  it('answers a dependency outage with 503, the wait the dependency asked for, and the correlation id', async () => {
    const response = await guardHttp(() =>
      Promise.reject(new DependencyUnavailableError('database', { retryAfterSeconds: 7 })),
    )(request(), context());
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({
      'Retry-After': '7',
      'Content-Type': 'application/problem+json',
      'x-correlation-id': 'corr-1',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(response.jsonBody).toMatchObject({ status: 503, correlationId: 'corr-1' });
    expect(String((response.jsonBody as { detail: string }).detail)).toMatch(/database/);
  });

  it('waits OUTAGE_RETRY_AFTER_SECONDS when the dependency did not say, and shows no cause', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const response = await failingWith(new DependencyUnavailableError('storage', { cause }))(
      request(),
      context(),
    );
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) });
    expect(JSON.stringify(response.jsonBody)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it('answers anything else with a 500 that holds neither message nor stack, and logs the error', async () => {
    logged.length = 0;
    const bug = new TypeError('secret detail of a bug');
    for (const error of [bug, new DependencyError('storage', 403)]) {
      const response = await failingWith(error)(request(), context());
      expect(response.status).toBe(500);
      const text = JSON.stringify(response.jsonBody);
      expect(text).not.toMatch(/secret detail|TypeError|status 403|\bat .+:\d+/);
      expect(response.jsonBody).toMatchObject({ correlationId: 'corr-1' });
    }
    expect(logged.flat()).toContain(bug);
  });

  it("adds its headers without replacing the handler's own", async () => {
    const plain = await guardHttp(() =>
      Promise.resolve({
        status: 200,
        headers: { 'X-Content-Type-Options': 'custom', 'X-Correlation-Id': 'mine' },
      }),
    )(request(), context());
    expect(plain.headers).toEqual({ 'X-Content-Type-Options': 'custom', 'X-Correlation-Id': 'mine' });
    const fromHeaders = await guardHttp(() =>
      Promise.resolve({ status: 200, headers: new Headers({ 'content-type': 'text/plain' }) }),
    )(request(), context());
    const headers = fromHeaders.headers as Headers;
    expect(headers.get('content-type')).toBe('text/plain');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-correlation-id')).toBe('corr-1');
  });
});
