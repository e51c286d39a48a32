// Fair sharing between tenants end to end on the local host, through the real SDK clients and the
// stand-ins: tenant A floods with chunked all-time exports (20 chunks each) and small reports; tenant B's
// one small report is served within a bounded number of A's dispatches (those already ahead of it: A's
// places and chunk window), not behind A's whole flood; and every report of both completes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../support/api';
import { e2eFixture } from '../../support/e2e-fixture';

const PLACES = 3;
const WINDOW = 4;
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };

const e2e = e2eFixture({
  name: 'fairness',
  env: {
    WORKER_LEASE_SECONDS: '15',
    EXPORT_CHUNK_TARGET_ROWS: '2000',
    TENANT_MAX_ACTIVE_EXPORTS: String(PLACES),
    TENANT_CHUNK_WINDOW: String(WINDOW),
  },
  seed: { albums: 100, ratings: 40_000, seed: 5 },
  changeFeedPollMs: 200,
  debug: 'DEBUG_EXPORTS',
});
const tenantA = e2e.api;

beforeAll(() => e2e.start(), 240_000);

afterAll(() => e2e.cleanup());

describe('fair sharing between tenants', () => {
  it('serves another tenant’s report within A’s places and window while A floods with chunked exports', async () => {
    const tokenB = await e2e.tokenFor('bea', `t-${randomUUID()}`);
    const tenantB = apiClient({ baseUrl: () => e2e.host.url, token: () => tokenB });
    const post = async (client: typeof tenantA, type: string, parameters: Record<string, unknown>) => {
      const response = await client.call('POST', `/api/reports/${type}`, { format: 'csv', parameters });
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      return response.body.reportId as string;
    };
    const small = (i: number) => ({
      fromDate: `2019-0${1 + (i % 9)}-01`,
      toDate: `2019-0${1 + (i % 9)}-20`,
      top: 5,
    });

    const a: string[] = [];
    for (let i = 0; i < 4; i++) {
      a.push(await post(tenantA, 'ratings', { ...ALL_TIME, fromDate: `2000-01-0${i + 1}` }));
      a.push(await post(tenantA, 'popularity', small(i)));
      a.push(await post(tenantA, 'popularity', small(i + 4)));
    }
    // B asks once A's chunked exports are under way (planned, chunks running).
    const firstChunk = () =>
      e2e.hostLog.some((line) => / chunk \d+ \(plan \d+\): attempt \d+ reads its rows/.test(line));
    for (let i = 0; i < 600 && !firstChunk(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(firstChunk()).toBe(true);
    const logBeforeB = e2e.hostLog.length;
    const b = await post(tenantB, 'popularity', small(0));

    const doneB = await tenantB.untilStatus(b, ['Completed', 'Failed'], 180_000);
    expect(doneB.status).toBe('Completed');
    for (const id of a)
      expect((await tenantA.untilStatus(id, ['Completed', 'Failed'], 300_000)).status).toBe('Completed');

    // A's work that started after B asked and before B's report ran: only what was already ahead of it.
    const linesUntilB = e2e.hostLog.slice(logBeforeB);
    const bStarted = linesUntilB.findIndex(
      (line) => line.includes(`report ${b} `) && line.includes(': claimed'),
    );
    expect(bStarted).toBeGreaterThanOrEqual(0);
    const aStarts = linesUntilB
      .slice(0, bStarted)
      .filter(
        (line) => a.some((id) => line.includes(`report ${id}`)) && / reads its rows|: claimed$/.test(line),
      );
    // At most places + window of A's messages are out at any time; while B's request is relayed (the
    // change feed's poll), A's chunks that finish send their next ones, which can get on the queue ahead
    // of it: at most one more window. (With sharing off, 63 of A's ran first.)
    expect(aStarts.length).toBeLessThanOrEqual(PLACES + 2 * WINDOW);
    // A's flood had far more than that to run: 4 exports of 20 chunks each, and 8 small reports.
    const chunkRuns = e2e.hostLog.filter((line) =>
      / chunk \d+ \(plan \d+\): attempt \d+ reads its rows/.test(line),
    );
    expect(chunkRuns.length).toBeGreaterThanOrEqual(80);
  }, 400_000);
});
