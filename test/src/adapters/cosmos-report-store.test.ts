// The Cosmos report store against the local Cosmos stand-in started by the global setup.
import { createHash, randomUUID } from 'node:crypto';
import type { Container, CosmosClient, FeedOptions, SqlQuerySpec } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCosmosClient } from '../../support/clients';
import { createCosmosReportStore, listContinuationToken } from '../../../src/adapters/cosmos-report-store';
import type { OutboxDocument, ReportDocument } from '../../../src/domain/report';
import { InvalidContinuationTokenError, type ReportStore } from '../../../src/services/ports';

let client: CosmosClient;
let container: Container;
let store: ReportStore;

/** The continuation-token key of the stores in this file. */
const SECRET = 'continuation-token-secret-of-these-tests';

beforeAll(() => {
  const connectionString = process.env.COSMOS;
  if (!connectionString) throw new Error('COSMOS is not set: the global setup did not run');
  client = testCosmosClient();
  container = client
    .database(process.env.COSMOS_DATABASE_NAME ?? 'reportexports')
    .container(process.env.COSMOS_REPORTS_CONTAINER ?? 'reports');
  store = createCosmosReportStore(container, SECRET);
});

afterAll(() => {
  client?.dispose();
});

function report(tenantId: string, overrides: Partial<ReportDocument> = {}): ReportDocument {
  return {
    id: randomUUID(),
    kind: 'report',
    tenantId,
    ownerId: 'owner-1',
    reportType: 'sales',
    format: 'csv',
    parameters: { year: 2024 },
    requestHash: 'hash-1',
    idempotencyKey: null,
    status: 'Pending',
    cancelRequested: false,
    progress: { processedRows: 0, totalRows: null, percent: null, etaSeconds: null },
    createdAt: new Date().toISOString(),
    startedAt: null,
    completedAt: null,
    error: null,
    rowCount: null,
    sizeBytes: null,
    fileName: null,
    blobName: null,
    correlationId: randomUUID(),
    attempts: 0,
    ...overrides,
  };
}

function outboxFor(r: ReportDocument): OutboxDocument {
  return {
    id: randomUUID(),
    kind: 'outbox',
    tenantId: r.tenantId,
    reportId: r.id,
    messageType: 'ExportRequested',
    payload: { tenantId: r.tenantId, reportId: r.id, reportType: r.reportType, format: r.format },
    correlationId: r.correlationId,
    createdAt: r.createdAt,
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
  };
}

async function readRaw(id: string, tenantId: string): Promise<Record<string, unknown> | undefined> {
  const { resource } = await container.item(id, tenantId).read<Record<string, unknown>>();
  return resource;
}

async function seed(r: ReportDocument): Promise<ReportDocument> {
  expect(await store.createWithOutbox(r, outboxFor(r))).toBe('created');
  return r;
}

/** Reports created one per minute so their order by createdAt is unambiguous. */
function minutesAfter(base: number, minutes: number): string {
  return new Date(base + minutes * 60_000).toISOString();
}

describe('createWithOutbox', () => {
  it('writes the report and its outbox message in the same partition', async () => {
    const tenantId = randomUUID();
    const r = report(tenantId);
    const o = outboxFor(r);
    expect(await store.createWithOutbox(r, o)).toBe('created');

    expect(await readRaw(r.id, tenantId)).toMatchObject({ ...r });
    expect(await readRaw(o.id, tenantId)).toMatchObject({ ...o, tenantId, kind: 'outbox' });
  });

  it("is 'conflict' for an existing report id and does not write the second outbox message", async () => {
    const tenantId = randomUUID();
    const first = await seed(report(tenantId));
    const again = report(tenantId, { id: first.id, ownerId: 'someone-else' });
    const secondOutbox = outboxFor(again);

    expect(await store.createWithOutbox(again, secondOutbox)).toBe('conflict');
    expect(await readRaw(secondOutbox.id, tenantId)).toBeUndefined();
    expect(await readRaw(first.id, tenantId)).toMatchObject({ ownerId: 'owner-1' });
  });
});

describe('get', () => {
  it('returns the document without system properties, and its etag', async () => {
    const tenantId = randomUUID();
    const r = await seed(report(tenantId));
    const found = await store.get(tenantId, r.id);
    expect(found).toBeDefined();
    expect(found?.doc).toEqual(r);
    expect(found?.etag).toEqual(expect.any(String));
    expect(found?.etag).toBe((await readRaw(r.id, tenantId))?._etag);
  });

  it('is undefined for an unknown id, an outbox id and another tenant’s report', async () => {
    const tenantId = randomUUID();
    const r = report(tenantId);
    const o = outboxFor(r);
    expect(await store.createWithOutbox(r, o)).toBe('created');

    expect(await store.get(tenantId, randomUUID())).toBeUndefined();
    expect(await store.get(tenantId, o.id)).toBeUndefined();
    expect(await store.get(randomUUID(), r.id)).toBeUndefined();
  });
});

describe('findActive', () => {
  it('finds a Pending or Processing report of the owner with the same request hash', async () => {
    const tenantId = randomUUID();
    const pending = await seed(report(tenantId, { requestHash: 'h-pending' }));
    const processing = await seed(report(tenantId, { requestHash: 'h-processing', status: 'Processing' }));

    expect(await store.findActive(tenantId, 'owner-1', 'h-pending')).toEqual(pending);
    expect(await store.findActive(tenantId, 'owner-1', 'h-processing')).toEqual(processing);
  });

  it('ignores finished reports, other owners, other hashes and other tenants', async () => {
    const tenantId = randomUUID();
    await seed(report(tenantId, { requestHash: 'h', status: 'Completed' }));
    await seed(report(tenantId, { requestHash: 'h', status: 'Failed' }));
    await seed(report(tenantId, { requestHash: 'h', ownerId: 'owner-2' }));
    const otherTenant = randomUUID();
    await seed(report(otherTenant, { requestHash: 'h' }));

    expect(await store.findActive(tenantId, 'owner-1', 'h')).toBeUndefined();
    expect(await store.findActive(tenantId, 'owner-1', 'other-hash')).toBeUndefined();
    expect(await store.findActive(tenantId, 'owner-2', 'h')).toMatchObject({ ownerId: 'owner-2' });
    expect(await store.findActive(otherTenant, 'owner-1', 'h')).toMatchObject({ tenantId: otherTenant });
  });
});

describe('countActive', () => {
  it('counts the owner’s Pending and Processing reports of the tenant, and nothing else', async () => {
    const tenantId = randomUUID();
    await seed(report(tenantId));
    await seed(report(tenantId, { status: 'Processing' }));
    await seed(report(tenantId, { status: 'Pending' }));
    for (const status of ['Completed', 'Failed', 'Cancelled'] as const)
      await seed(report(tenantId, { status }));
    await seed(report(tenantId, { ownerId: 'owner-2' }));
    await seed(report(randomUUID()));

    expect(await store.countActive(tenantId, 'owner-1')).toBe(3);
    expect(await store.countActive(tenantId, 'owner-2')).toBe(1);
    expect(await store.countActive(tenantId, 'nobody')).toBe(0);
  });
});

describe('countAhead', () => {
  it('counts the tenant’s Processing reports and the Pending ones asked before the given one', async () => {
    const tenantId = randomUUID();
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
    await seed(report(tenantId, { status: 'Processing', createdAt: at(50), ownerId: 'someone' }));
    await seed(report(tenantId, { status: 'Pending', createdAt: at(1) }));
    await seed(
      report(tenantId, { status: 'Pending', createdAt: at(2), id: '00000000-0000-4000-8000-000000000001' }),
    );
    await seed(report(tenantId, { status: 'Completed', createdAt: at(1) }));
    await seed(report(tenantId, { status: 'Pending', createdAt: at(9) }));
    await seed(report(randomUUID(), { status: 'Processing', createdAt: at(0) }));

    // Ahead of a report asked at second 2: the Processing one, the Pending one of second 1, and the
    // Pending one of second 2 with the smaller id; not the later Pending one, the finished one or the
    // other tenant's.
    const mine = { id: 'ffffffff-0000-4000-8000-000000000000', createdAt: at(2) };
    expect(await store.countAhead(tenantId, mine)).toBe(3);
    expect(await store.countAhead(tenantId, { id: mine.id, createdAt: at(0) })).toBe(1);
    expect(await store.countAhead(randomUUID(), mine)).toBe(0);
  });
});

describe('list', () => {
  it('lists the tenant’s reports newest first and applies the filters', async () => {
    const tenantId = randomUUID();
    const base = Date.parse('2024-01-01T00:00:00Z');
    const a = await seed(report(tenantId, { createdAt: minutesAfter(base, 1) }));
    const b = await seed(
      report(tenantId, { createdAt: minutesAfter(base, 2), ownerId: 'owner-2', status: 'Completed' }),
    );
    const c = await seed(report(tenantId, { createdAt: minutesAfter(base, 3), reportType: 'inventory' }));
    await seed(report(randomUUID(), { createdAt: minutesAfter(base, 4) }));

    const ids = async (filter: Parameters<ReportStore['list']>[1]): Promise<string[]> => {
      const page = await store.list(tenantId, filter, 10);
      expect(page.continuationToken).toBeNull();
      return page.items.map((item) => item.id);
    };
    expect(await ids({})).toEqual([c.id, b.id, a.id]);
    expect(await ids({ ownerId: 'owner-1' })).toEqual([c.id, a.id]);
    expect(await ids({ status: 'Completed' })).toEqual([b.id]);
    expect(await ids({ reportType: 'inventory' })).toEqual([c.id]);
    expect(await ids({ ownerId: 'owner-1', status: 'Completed' })).toEqual([]);

    const page = await store.list(tenantId, {}, 10);
    expect(page.items[0]).toEqual(c);
  });

  it('pages through every report exactly once, in order, and ends with a null token', async () => {
    const tenantId = randomUUID();
    const base = Date.parse('2024-02-01T00:00:00Z');
    const created: ReportDocument[] = [];
    for (let i = 0; i < 5; i++)
      created.push(await seed(report(tenantId, { createdAt: minutesAfter(base, i) })));
    // Noise in the same container: another tenant, and this tenant's outbox documents.
    for (let i = 0; i < 3; i++) await seed(report(randomUUID(), { createdAt: minutesAfter(base, i) }));

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(tenantId, {}, 2, token);
      pages++;
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      token = page.continuationToken ?? undefined;
      if (token !== undefined) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (token !== undefined && pages < 10);

    expect(token).toBeUndefined();
    expect(seen).toEqual(created.map((r) => r.id).reverse());
  });

  it('refuses a garbage token and a token issued for another query', async () => {
    const tenantId = randomUUID();
    const base = Date.parse('2024-03-01T00:00:00Z');
    for (let i = 0; i < 3; i++) await seed(report(tenantId, { createdAt: minutesAfter(base, i) }));
    const first = await store.list(tenantId, {}, 2);
    const token = first.continuationToken;
    expect(token).not.toBeNull();
    if (token === null) return;

    // The token itself works for its own query.
    expect((await store.list(tenantId, {}, 2, token)).items).toHaveLength(1);

    for (const bad of ['garbage!', 'bm90LWpzb24', Buffer.from('{"q":1}').toString('base64url'), '']) {
      await expect(store.list(tenantId, {}, 2, bad)).rejects.toBeInstanceOf(InvalidContinuationTokenError);
    }
    await expect(store.list(tenantId, { ownerId: 'owner-1' }, 2, token)).rejects.toBeInstanceOf(
      InvalidContinuationTokenError,
    );
    await expect(store.list(tenantId, {}, 3, token)).rejects.toBeInstanceOf(InvalidContinuationTokenError);
    await expect(store.list(randomUUID(), {}, 2, token)).rejects.toBeInstanceOf(
      InvalidContinuationTokenError,
    );
  });

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

describe('replace', () => {
  it('replaces with the current etag and returns the new one', async () => {
    const tenantId = randomUUID();
    const r = await seed(report(tenantId));
    const current = await store.get(tenantId, r.id);
    if (!current) throw new Error('seeded report not found');

    const updated: ReportDocument = {
      ...current.doc,
      status: 'Processing',
      startedAt: new Date().toISOString(),
    };
    const result = await store.replace(updated, current.etag);
    if (result === 'conflict') throw new Error('unexpected conflict');
    expect(result.doc).toEqual(updated);
    expect(result.etag).not.toBe(current.etag);
    expect((await store.get(tenantId, r.id))?.etag).toBe(result.etag);
  });

  it("is 'conflict' with a stale etag and leaves the document unchanged", async () => {
    const tenantId = randomUUID();
    const r = await seed(report(tenantId));
    const stale = await store.get(tenantId, r.id);
    if (!stale) throw new Error('seeded report not found');
    const first = await store.replace({ ...stale.doc, status: 'Processing' }, stale.etag);
    if (first === 'conflict') throw new Error('unexpected conflict');

    expect(await store.replace({ ...stale.doc, status: 'Cancelled' }, stale.etag)).toBe('conflict');
    const after = await store.get(tenantId, r.id);
    expect(after?.doc.status).toBe('Processing');
    expect(after?.etag).toBe(first.etag);
  });
});

describe('updateClaimed', () => {
  it('patches only the given fields while the owner holds the claim, keeping a cancel request', async () => {
    const tenant = `t-${randomUUID()}`;
    const r = await seed(
      report(tenant, { status: 'Processing', leaseOwner: 'w1', leaseExpiresAt: '2030-01-01T00:00:00.000Z' }),
    );
    // A cancel request lands between two heartbeats.
    const current = await store.get(tenant, r.id);
    await store.replace({ ...r, cancelRequested: true }, current?.etag ?? '');
    const progress = { processedRows: 5, totalRows: 10, percent: 50, etaSeconds: 3 };
    const updated = await store.updateClaimed(tenant, r.id, 'w1', {
      progress,
      leaseExpiresAt: '2030-01-01T00:01:00.000Z',
    });
    expect(updated).toMatchObject({
      progress,
      cancelRequested: true,
      leaseExpiresAt: '2030-01-01T00:01:00.000Z',
    });
    expect(await readRaw(r.id, tenant)).toMatchObject({ progress, cancelRequested: true });
  });

  it("is 'lost' for another owner or a report no longer Processing, and changes nothing", async () => {
    const tenant = `t-${randomUUID()}`;
    const r = await seed(report(tenant, { status: 'Processing', leaseOwner: 'w1' }));
    expect(await store.updateClaimed(tenant, r.id, 'w2', { rowCount: 1 })).toBe('lost');
    const done = await seed(report(tenant, { status: 'Completed', leaseOwner: 'w1' }));
    expect(await store.updateClaimed(tenant, done.id, 'w1', { rowCount: 1 })).toBe('lost');
    expect((await readRaw(r.id, tenant))?.rowCount).toBeNull();
  });
});

describe('findExpiredLeases', () => {
  it('finds Processing reports of every tenant whose lease lapsed, oldest first', async () => {
    const [a, b] = [`t-${randomUUID()}`, `t-${randomUUID()}`];
    const now = new Date('2029-06-01T00:00:00.000Z');
    const lapsed1 = await seed(
      report(a, { status: 'Processing', leaseOwner: 'x', leaseExpiresAt: '2029-05-31T23:59:00.000Z' }),
    );
    const lapsed2 = await seed(
      report(b, { status: 'Processing', leaseOwner: 'y', leaseExpiresAt: '2029-05-31T23:58:00.000Z' }),
    );
    const live = await seed(
      report(a, { status: 'Processing', leaseOwner: 'z', leaseExpiresAt: '2029-06-01T00:01:00.000Z' }),
    );
    const pending = await seed(report(b, { status: 'Pending', leaseExpiresAt: '2029-05-31T00:00:00.000Z' }));
    const noLease = await seed(report(a, { status: 'Processing', leaseOwner: null, leaseExpiresAt: null }));
    const found = (await store.findExpiredLeases(now, 1000)).map((s) => s.doc.id);
    const ours = found.filter((id) => [lapsed1.id, lapsed2.id, live.id, pending.id, noLease.id].includes(id));
    expect(ours).toEqual([lapsed2.id, lapsed1.id]);
    const stored = (await store.findExpiredLeases(now, 1000)).find((s) => s.doc.id === lapsed1.id);
    expect(typeof stored?.etag).toBe('string');
  });
});

describe('addOutbox', () => {
  it("writes an outbox document once; again is 'exists'", async () => {
    const tenant = `t-${randomUUID()}`;
    const r = await seed(report(tenant));
    const doc = { ...outboxFor(r), id: `outbox-${r.id}-requeue-1` };
    expect(await store.addOutbox(doc)).toBe('created');
    expect(await store.addOutbox(doc)).toBe('exists');
    expect(await readRaw(doc.id, tenant)).toMatchObject({
      kind: 'outbox',
      reportId: r.id,
      dispatchedAt: null,
    });
  });
});
