// The HTTP API while a dependency is down, end to end through the local host: this file runs its own
// Cosmos DB stand-in (not the shared one) and stops it mid-test. Every route that needs the database
// then answers a 503 problem with Retry-After and the correlation id; an unexpected error is a 500
// problem that says nothing about it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpOnly, startAppHost, type AppHost } from '../../support/app-host';
import { provisionLocal } from '../../../dev/provision';
import { startCosmosServer, type CosmosServer } from '../../../dev/standins/cosmos';
import { issueDevToken } from '../../../dev/token';
import { loadConfig } from '../../../src/config';
import { apiClient } from '../../support/api';

let cosmos: CosmosServer | undefined;
let host: AppHost | undefined;
let bearer: string;
const shared = { COSMOS: process.env.COSMOS, AUTH_DEV_JWKS_PATH: process.env.AUTH_DEV_JWKS_PATH };

const api = apiClient({ baseUrl: () => host?.url, token: () => bearer });
const call = async (method: string, path: string, body?: unknown) => {
  const response = await api.call(method, path, body);
  return { ...response, text: JSON.stringify(response.body) };
};

/** Points the app at `env` (a fresh config and fresh clients) and starts a host with its HTTP functions. */
async function startHostWith(env: Record<string, string | undefined>): Promise<void> {
  await host?.stop();
  Object.assign(process.env, env);
  host = await startAppHost({
    only: httpOnly,
    log: () => undefined,
  });
}

beforeAll(async () => {
  cosmos = await startCosmosServer({ port: 0 });
  await provisionLocal(loadConfig({ ...process.env, COSMOS: cosmos.connectionString }));
  await startHostWith({ COSMOS: cosmos.connectionString });
  const dir = process.env.REPORT_EXPORTS_TEST_LOCAL_DIR;
  bearer = await issueDevToken({ tenantId: randomUUID(), userId: 'alice', ...(dir ? { dir } : {}) });
});

afterAll(async () => {
  await host?.stop();
  await cosmos?.close();
  Object.assign(process.env, shared);
});

describe('with the database down', () => {
  let reportId: string;

  it('works while the database is up', async () => {
    const created = await call('POST', '/api/reports/popularity', {
      format: 'csv',
      parameters: { fromDate: '2024-01-01', toDate: '2024-01-31' },
    });
    expect(created.status).toBe(202);
    reportId = String(created.body.reportId);
    expect((await call('GET', `/api/reports/${reportId}`)).status).toBe(200);
  });

  it('answers every database route with a 503 problem, Retry-After and the correlation id', async () => {
    await cosmos?.close();
    const routes: [string, string, unknown?][] = [
      [
        'POST',
        '/api/reports/popularity',
        { format: 'csv', parameters: { fromDate: '2024-02-01', toDate: '2024-02-28' } },
      ],
      ['GET', `/api/reports/${reportId}`],
      ['GET', '/api/reports'],
      ['DELETE', `/api/reports/${reportId}`],
      ['GET', `/api/reports/${reportId}/download`],
    ];
    for (const [method, path, body] of routes) {
      const response = await call(method, path, body);
      const what = `${method} ${path}`;
      expect(response.status, what).toBe(503);
      expect(response.headers.get('content-type'), what).toBe('application/problem+json');
      expect(Number(response.headers.get('retry-after')), what).toBeGreaterThan(0);
      const correlationId = response.headers.get('x-correlation-id');
      expect(correlationId, what).toMatch(/\S/);
      expect(response.body).toMatchObject({
        type: 'https://report-exports.dev/problems/service-unavailable',
        status: 503,
        correlationId,
      });
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(response.text, what).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\bat .+:\d+:\d+/);
    }
  });
});

describe('an unexpected error', () => {
  it('is a 500 problem with the correlation id and no details', async () => {
    // Signing keys that cannot be read are the server's fault, not the caller's.
    await startHostWith({ AUTH_DEV_JWKS_PATH: `/nonexistent/${randomUUID()}/dev-jwks.json` });
    const response = await call('GET', '/api/reports');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(Object.keys(response.body).sort()).toEqual(['correlationId', 'detail', 'status', 'title', 'type']);
    expect(response.body).toMatchObject({
      type: 'https://report-exports.dev/problems/internal-error',
      title: 'Internal server error.',
      status: 500,
      correlationId: response.headers.get('x-correlation-id'),
    });
    expect(response.text).not.toMatch(/jwks|nonexistent|ENOENT|\bat .+:\d+:\d+/i);
  });
});
