// The Cosmos report store against the local Cosmos stand-in started by the global setup: the ReportStore
// contract (test/contracts/report-store.contract.ts, which the in-memory store passes too), and what only
// this adapter does (continuation tokens bound by an HMAC, SDK errors mapped, system properties).
import { createHash, randomUUID } from 'node:crypto';
import type { Container, CosmosClient, FeedOptions, SqlQuerySpec } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCosmosClient, testReportsContainer } from '../../support/clients';
import {
  describeReportStoreContract,
  minutesAfter,
  outboxFor,
  report,
} from '../../contracts/report-store.contract';
import { createCosmosReportStore, listContinuationToken } from '../../../src/adapters/cosmos-report-store';
import { InvalidContinuationTokenError } from '../../../src/domain/errors';
import type { ReportDocument } from '../../../src/domain/report';
import type { ReportStore } from '../../../src/services/ports';

let client: CosmosClient;
let container: Container;
let store: ReportStore;

/** The continuation-token key of the stores in this file. */
const SECRET = 'continuation-token-secret-of-these-tests';

beforeAll(() => {
  client = testCosmosClient();
  container = testReportsContainer(client);
  store = createCosmosReportStore(container, SECRET);
});

afterAll(() => {
  client?.dispose();
});

async function readRaw(id: string, tenantId: string): Promise<Record<string, unknown> | undefined> {
  const { resource } = await container.item(id, tenantId).read<Record<string, unknown>>();
  return resource;
}

async function seed(r: ReportDocument): Promise<ReportDocument> {
  expect(await store.createWithOutbox(r, outboxFor(r))).toBe('created');
  return r;
}

describeReportStoreContract('Cosmos report store', () => ({
  store: createCosmosReportStore(container, SECRET),
  stored: (tenantId, id) => readRaw(id, tenantId),
}));

describe('get', () => {
  it('returns the document without system properties, and the stored etag', async () => {
    const tenantId = randomUUID();
    const r = await seed(report(tenantId));
    const found = await store.get(tenantId, r.id);
    expect(found?.doc).toEqual(r);
    expect(Object.keys(found?.doc ?? {}).filter((key) => key.startsWith('_'))).toEqual([]);
    expect(found?.etag).toBe((await readRaw(r.id, tenantId))?._etag);
  });
});

describe('list continuation tokens', () => {
  it('issues tokens that listContinuationToken rebuilds from their SDK continuation', async () => {
    const tenantId = randomUUID();
    const base = Date.parse('2024-04-01T00:00:00Z');
    for (let i = 0; i < 3; i++) await seed(report(tenantId, { createdAt: minutesAfter(base, i) }));
    const filter = { ownerId: 'owner-1' };
    const token = (await store.list(tenantId, filter, 2)).continuationToken;
    if (token === null) throw new Error('expected a continuation token');
    const { c } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c: string };
    expect(listContinuationToken(tenantId, filter, 2, c, SECRET)).toBe(token);
    expect(listContinuationToken(tenantId, {}, 2, c, SECRET)).not.toBe(token);
  });

  it('refuses a token tagged without the secret, or with another secret', async () => {
    const tenantId = randomUUID();
    const base = Date.parse('2024-04-01T00:00:00Z');
    for (let i = 0; i < 3; i++) await seed(report(tenantId, { createdAt: minutesAfter(base, i) }));
    const token = (await store.list(tenantId, {}, 2)).continuationToken;
    if (token === null) throw new Error('expected a continuation token');
    const { c } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c: string };
    // What a client can compute: a plain hash over values it knows.
    const unkeyed = createHash('sha256').update(`${tenantId}\n${c}`).digest('base64url');
    const forged = Buffer.from(JSON.stringify({ q: unkeyed, c })).toString('base64url');
    for (const bad of [forged, listContinuationToken(tenantId, {}, 2, c, `${SECRET}-other`)]) {
      await expect(store.list(tenantId, {}, 2, bad)).rejects.toBeInstanceOf(InvalidContinuationTokenError);
    }
    expect((await store.list(tenantId, {}, 2, token)).items).toHaveLength(1);
  });

  it('carries a correctly bound token to Cosmos, and maps the 400 Cosmos answers for a bad SDK token', async () => {
    const tenantId = randomUUID();
    const base = Date.parse('2024-04-01T00:00:00Z');
    for (let i = 0; i < 3; i++) await seed(report(tenantId, { createdAt: minutesAfter(base, i) }));
    const fetches: Fetch[] = [];
    const spied = createCosmosReportStore(spiedContainer(fetches), SECRET);
    const token = listContinuationToken(tenantId, {}, 2, '{"x":1}', SECRET);

    await expect(spied.list(tenantId, {}, 2, token)).rejects.toBeInstanceOf(InvalidContinuationTokenError);
    expect(fetches).toEqual([{ continuationToken: '{"x":1}', failedWith: 400 }]);
  });

  it('maps only a failure of a request that carried a token, and only a 400 or an SDK parse failure', async () => {
    const tenantId = randomUUID();
    await seed(report(tenantId));
    const token = listContinuationToken(tenantId, {}, 2, 'anything', SECRET);
    const failing = (error: Error) => createCosmosReportStore(spiedContainer([], error), SECRET);
    const status = (code: number) => Object.assign(new Error(`status ${code}`), { code });

    await expect(failing(status(400)).list(tenantId, {}, 2, token)).rejects.toBeInstanceOf(
      InvalidContinuationTokenError,
    );
    await expect(failing(new SyntaxError('bad token')).list(tenantId, {}, 2, token)).rejects.toBeInstanceOf(
      InvalidContinuationTokenError,
    );
    // Cosmos being busy or down is not the client's token's fault, and without a token a 400 is a bug.
    for (const [error, withToken] of [
      [status(429), true],
      [status(503), true],
      [status(400), false],
    ] as const) {
      const rejection = await failing(error)
        .list(tenantId, {}, 2, withToken ? token : undefined)
        .catch((e: unknown) => e);
      // It comes through as the app's error for a database failure, with the SDK's error as its cause.
      expect((rejection as Error).cause).toBe(error);
    }
  });
});

interface Fetch {
  continuationToken: string | undefined;
  failedWith?: unknown;
}

/**
 * The run's reports container, recording each page fetched by a query (the continuation it carried, and
 * the status code Cosmos failed it with); with `failure`, every fetch fails with it instead.
 */
function spiedContainer(fetches: Fetch[], failure?: Error): Container {
  const items = new Proxy(container.items, {
    get(target, property): unknown {
      if (property !== 'query') return Reflect.get(target, property, target) as unknown;
      return <T>(query: string | SqlQuerySpec, options?: FeedOptions) => {
        const iterator = target.query<T>(query, options);
        const fetchNext = iterator.fetchNext.bind(iterator);
        iterator.fetchNext = async () => {
          const fetch: Fetch = { continuationToken: options?.continuationToken };
          fetches.push(fetch);
          if (failure !== undefined) throw failure;
          try {
            return await fetchNext();
          } catch (error) {
            fetch.failedWith = (error as { code?: unknown }).code;
            throw error;
          }
        };
        return iterator;
      };
    },
  });
  return new Proxy(container, {
    get: (target, property): unknown =>
      property === 'items' ? items : (Reflect.get(target, property, target) as unknown),
  });
}
