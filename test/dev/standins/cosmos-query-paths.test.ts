// The Cosmos stand-in's faster query paths (dev/standins/cosmos.ts) give what the engine gives without
// them: every query below runs first on the engine as it comes (this file's process has not started a
// stand-in yet), then again once startCosmosServer has changed it, over the same documents, and the
// answers must be equal, order and pages included. Also, through the run's stand-in: the SDK's
// query-plan request is answered at once instead of running the query, and a stored document (kept as a
// plain copy) comes back as it was written.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCosmosServer } from '../../../dev/standins/cosmos';
import { testCosmosClient } from '../../support/clients';
import { seededRandom } from '../../support/seeded-random';

interface Page {
  result: unknown[];
  continuation: { token: string; range: unknown } | null;
}
interface CompiledQuery {
  readonly code: string;
  exec(documents: unknown[], options: Record<string, unknown>): Page;
}

// The engine the server loads, as the stand-in reaches it.
const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
const engine = serverRequire('@zeit/cosmosdb-query') as { default: (sql: string) => CompiledQuery };

/**
 * 700 rating-like documents in an order that is neither their `_rid` order nor their time order: few
 * distinct timestamps (so many ties, also at TOP n's cut), a few without `ratedAt`, with `null`, with a
 * number or an object there (the engine orders types), some with an array (an order `<` cannot keep).
 */
function documents(): Record<string, unknown>[] {
  const next = seededRandom(7);
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < 700; i++) {
    const doc: Record<string, unknown> = {
      id: `r-${i}`,
      albumId: `al-${Math.floor(next() * 6)}`,
      userId: `u-${Math.floor(next() * 40)}`,
      rating: 1 + Math.floor(next() * 5),
      ratedAt: `2024-0${1 + Math.floor(next() * 6)}-1${Math.floor(next() * 4)}T00:00:00.000Z`,
      // Opaque to the engine, unique, and not in insertion order.
      _rid: `rid-${((i * 7919) % 700).toString(36).padStart(3, '0')}`,
      _ts: 1_700_000_000 + i,
    };
    if (i % 97 === 5) delete doc.ratedAt;
    if (i % 101 === 7) doc.ratedAt = null;
    if (i % 89 === 3) doc.ratedAt = 20240101;
    if (i % 113 === 9) doc.ratedAt = { at: '2024-01-01' };
    if (i % 50 === 1) doc.tags = i % 100 === 1 ? ['b', 'a'] : 'b,a';
    if (i % 10 === 0) doc.plays = [i % 3, i % 5, i % 7];
    // Every type but objects and arrays, some missing: MIN and MAX order them by type.
    const mixed = [null, true, false, 3, -1.5, 'x', 'a', undefined][i % 8];
    if (mixed !== undefined) doc.mixed = mixed;
    docs.push(doc);
  }
  return docs;
}

const DOCS = documents();
const FIRST_HALF = [
  { name: '@from', value: '2024-01-01T00:00:00.000Z' },
  { name: '@to', value: '2024-04-01T00:00:00.000Z' },
];
const NOTHING = [
  { name: '@from', value: '2030-01-01T00:00:00.000Z' },
  { name: '@to', value: '2031-01-01T00:00:00.000Z' },
];
const WHERE = 'c.ratedAt >= @from AND c.ratedAt < @to';
const ROW = 'c.id, c.albumId, c.userId, c.rating, c.ratedAt';

interface Case {
  sql: string;
  parameters?: { name: string; value: unknown }[];
  /** Page size; pages are followed through their continuation tokens. */
  pageSize?: number;
  compositeIndexes?: unknown[];
}

const CASES: Record<string, Case> = {
  // TOP n ... ORDER BY, ties at the cut, both directions, mixed types, a parameter, more than there is
  'TOP 1 ASC': {
    sql: `SELECT TOP 1 VALUE c.ratedAt FROM c WHERE ${WHERE} ORDER BY c.ratedAt ASC`,
    parameters: FIRST_HALF,
  },
  'TOP 1 DESC': {
    sql: `SELECT TOP 1 VALUE c.ratedAt FROM c WHERE ${WHERE} ORDER BY c.ratedAt DESC`,
    parameters: FIRST_HALF,
  },
  'TOP 1 of nothing': {
    sql: `SELECT TOP 1 VALUE c.ratedAt FROM c WHERE ${WHERE} ORDER BY c.ratedAt`,
    parameters: NOTHING,
  },
  'TOP 7 rows ASC, ties': {
    sql: `SELECT TOP 7 ${ROW} FROM c WHERE ${WHERE} ORDER BY c.ratedAt`,
    parameters: FIRST_HALF,
  },
  'TOP 40 rows DESC, ties': {
    sql: `SELECT TOP 40 ${ROW} FROM c WHERE ${WHERE} ORDER BY c.ratedAt DESC`,
    parameters: FIRST_HALF,
  },
  'TOP 25 over every type ASC': { sql: 'SELECT TOP 25 c.id, c.ratedAt FROM c ORDER BY c.ratedAt' },
  'TOP 25 over every type DESC': { sql: 'SELECT TOP 25 c.id, c.ratedAt FROM c ORDER BY c.ratedAt DESC' },
  'TOP @n, paged': {
    sql: `SELECT TOP @n ${ROW} FROM c WHERE ${WHERE} ORDER BY c.ratedAt DESC`,
    parameters: [...FIRST_HALF, { name: '@n', value: 30 }],
    pageSize: 8,
  },
  'TOP more than matches': {
    sql: `SELECT TOP 5000 c.id FROM c WHERE ${WHERE} ORDER BY c.ratedAt`,
    parameters: FIRST_HALF,
  },
  'TOP 0': { sql: 'SELECT TOP 0 c.id FROM c ORDER BY c.ratedAt' },
  'TOP without ORDER BY (by _rid)': { sql: 'SELECT TOP 9 * FROM c' },
  'TOP by an array-valued field': { sql: 'SELECT TOP 6 c.id, c.tags FROM c ORDER BY c.tags DESC' },
  'TOP by a nested path': { sql: 'SELECT TOP 3 c.id FROM c ORDER BY c.ratedAt.at' },
  // aggregates, empty and not
  COUNT: { sql: `SELECT VALUE COUNT(1) FROM c WHERE ${WHERE}`, parameters: FIRST_HALF },
  'COUNT of nothing': { sql: `SELECT VALUE COUNT(1) FROM c WHERE ${WHERE}`, parameters: NOTHING },
  'COUNT, MIN, MAX': {
    sql: `SELECT COUNT(1) AS n, MIN(c.ratedAt) AS first, MAX(c.ratedAt) AS last FROM c WHERE ${WHERE}`,
    parameters: FIRST_HALF,
  },
  'COUNT, MIN, MAX of nothing': {
    sql: `SELECT COUNT(1) AS n, MIN(c.ratedAt) AS first, MAX(c.ratedAt) AS last FROM c WHERE ${WHERE}`,
    parameters: NOTHING,
  },
  'COUNT, MIN, MAX of one album': {
    sql: `SELECT COUNT(1) AS n, MIN(c.ratedAt) AS first, MAX(c.ratedAt) AS last FROM c WHERE ${WHERE} AND c.albumId = @albumId`,
    parameters: [...FIRST_HALF, { name: '@albumId', value: 'al-2' }],
  },
  'MIN and MAX over every type': {
    sql: 'SELECT MIN(c.ratedAt) AS lo, MAX(c.ratedAt) AS hi, COUNT(c.ratedAt) AS n FROM c',
  },
  'MIN and MAX over types but objects': {
    sql: 'SELECT MIN(c.mixed) AS lo, MAX(c.mixed) AS hi, COUNT(c.mixed) AS n FROM c',
  },
  'MIN and MAX of numbers and booleans': {
    sql: "SELECT MIN(c.mixed) AS lo, MAX(c.mixed) AS hi FROM c WHERE c.mixed != 'x' AND c.mixed != 'a'",
  },
  'MIN and MAX of null and booleans': {
    sql: 'SELECT MIN(c.mixed) AS lo, MAX(c.mixed) AS hi FROM c WHERE IS_BOOL(c.mixed) OR IS_NULL(c.mixed)',
  },
  'MIN of a field no document has': { sql: 'SELECT VALUE MIN(c.missing) FROM c' },
  'MAX of a computed value': { sql: 'SELECT VALUE MAX(c.rating * 2) FROM c' },
  'SUM and AVG (sorted as before)': { sql: 'SELECT SUM(c.rating) AS s, AVG(c.rating) AS a FROM c' },
  'COUNT with ORDER BY': { sql: 'SELECT VALUE COUNT(1) FROM c ORDER BY c.ratedAt' },
  // ORDER BY range reads, paged as the adapter pages them
  'range ASC, paged': {
    sql: `SELECT ${ROW} FROM c WHERE ${WHERE} ORDER BY c.ratedAt`,
    parameters: FIRST_HALF,
    pageSize: 25,
  },
  'range DESC, paged': {
    sql: `SELECT ${ROW} FROM c WHERE ${WHERE} ORDER BY c.ratedAt DESC`,
    parameters: FIRST_HALF,
    pageSize: 33,
  },
  'range of one album': {
    sql: `SELECT ${ROW} FROM c WHERE ${WHERE} AND c.albumId = @albumId ORDER BY c.ratedAt`,
    parameters: [...FIRST_HALF, { name: '@albumId', value: 'al-4' }],
  },
  'range of nothing': { sql: `SELECT ${ROW} FROM c WHERE ${WHERE} ORDER BY c.ratedAt`, parameters: NOTHING },
  'ORDER BY over every type': { sql: 'SELECT c.id, c.ratedAt FROM c ORDER BY c.ratedAt DESC', pageSize: 100 },
  'ORDER BY an array-valued field': { sql: 'SELECT c.id FROM c ORDER BY c.tags' },
  // comparisons across types and the plain reads
  'compare a string with a number': { sql: 'SELECT c.id FROM c WHERE c.ratedAt > 5 OR c.rating <= 2' },
  'equal strings and numbers': { sql: "SELECT c.id FROM c WHERE c.albumId = 'al-1' AND c.rating = 3" },
  'everything, paged': { sql: 'SELECT * FROM c', pageSize: 128 },
  'another alias': { sql: 'SELECT r.id FROM root r WHERE r.rating > 3 ORDER BY r.ratedAt DESC' },
  'a JOIN': { sql: 'SELECT c.id, p FROM c JOIN p IN c.plays WHERE p > 1 AND c.rating >= 2' },
  EXISTS: { sql: 'SELECT VALUE c.id FROM c WHERE EXISTS(SELECT VALUE p FROM p IN c.plays WHERE p = 4)' },
  'COUNT of a JOIN': { sql: 'SELECT VALUE COUNT(1) FROM c JOIN p IN c.plays WHERE p > 1' },
  'two ORDER BY items with their index': {
    sql: 'SELECT c.id FROM c ORDER BY c.albumId, c.ratedAt DESC',
    compositeIndexes: [
      [
        { path: '/albumId', order: 'ascending' },
        { path: '/ratedAt', order: 'descending' },
      ],
    ],
  },
  'two ORDER BY items without an index': { sql: 'SELECT c.id FROM c ORDER BY c.albumId, c.ratedAt DESC' },
};

/** Every page of the query (or the error it throws), on a fresh compiled query. */
function run(query: Case): { pages: unknown[][] } | { error: string } {
  try {
    const pages: unknown[][] = [];
    let continuation: Page['continuation'] = null;
    do {
      const page = engine.default(query.sql).exec(structuredClone(DOCS), {
        parameters: query.parameters ?? [],
        maxItemCount: query.pageSize,
        continuation,
        compositeIndexes: query.compositeIndexes ?? [],
      });
      pages.push(page.result);
      continuation = page.continuation;
    } while (continuation && pages.length < 1000);
    return { pages };
  } catch (error) {
    return { error: String(error) };
  }
}

let expected: Record<string, ReturnType<typeof run>>;

beforeAll(async () => {
  // The engine as it comes: the stand-in's fixes rewrite `[...$, x]` away.
  expect(engine.default('SELECT * FROM c').code).toContain('[...$,');
  expected = Object.fromEntries(Object.entries(CASES).map(([name, query]) => [name, run(query)]));
  const server = await startCosmosServer({ port: 0 });
  await server.close();
  expect(engine.default('SELECT * FROM c').code).not.toContain('[...$,');
});

describe('the Cosmos stand-in query paths', () => {
  it.each(Object.keys(CASES))('%s: the same answer as the engine as it comes', (name) => {
    const query = CASES[name]!;
    expect(run(query)).toEqual(expected[name]);
  });

  it('the cases are not trivial: they find rows, ties at the TOP cut, and run the new paths', () => {
    const pages = (name: string) => {
      const answer = expected[name]!;
      if ('error' in answer) throw new Error(`${name}: ${answer.error}`);
      return answer.pages;
    };
    for (const name of [
      'another alias',
      'a JOIN',
      'EXISTS',
      'COUNT of a JOIN',
      'ORDER BY an array-valued field',
    ])
      expect(pages(name).flat().length, name).toBeGreaterThan(0);
    const top40 = pages('TOP 40 rows DESC, ties').flat() as { ratedAt: string }[];
    const range = pages('range DESC, paged').flat() as { ratedAt: string }[];
    expect(top40).toHaveLength(40);
    // The 40th timestamp has equal ones left out: which are kept is the sort's tie order.
    expect(range.slice(40).some((r) => r.ratedAt === top40[39]!.ratedAt)).toBe(true);
    expect(range.length).toBeGreaterThan(200);
    expect(pages('range DESC, paged').length).toBeGreaterThan(5);
    const inHalf = DOCS.map((d) => d.ratedAt)
      .filter((t): t is string => typeof t === 'string' && t >= '2024-01-01' && t < '2024-04-01')
      .sort();
    expect(inHalf.length).toBeGreaterThan(200);
    expect(pages('COUNT, MIN, MAX')).toEqual([[{ n: inHalf.length, first: inHalf[0], last: inHalf.at(-1) }]]);
    expect(pages('COUNT, MIN, MAX of nothing')).toEqual([[{ n: 0 }]]);
    expect(pages('MIN and MAX over types but objects')).toEqual([[{ lo: null, hi: 'x', n: 613 }]]);
    expect(pages('MIN and MAX of numbers and booleans')).toEqual([[{ lo: null, hi: 3 }]]);
    expect(pages('MIN and MAX of null and booleans')).toEqual([[{ lo: null, hi: true }]]);
    expect(pages('MIN and MAX over every type')).toEqual([[{ n: expect.any(Number) as number }]]);
    expect(expected['two ORDER BY items without an index']).toMatchObject({
      error: expect.stringContaining('composite index') as string,
    });

    expect(engine.default(CASES['TOP 1 DESC']!.sql).code).toContain('$h.sortTop(1,');
    expect(engine.default(CASES['TOP @n, paged']!.sql).code).toContain('$h.sortTop($p.n,');
    expect(engine.default(CASES['COUNT, MIN, MAX']!.sql).code).not.toContain('$h.sort(');
    expect(engine.default(CASES['COUNT, MIN, MAX']!.sql).code).toContain('$h.matching(');
    expect(engine.default(CASES['COUNT, MIN, MAX']!.sql).code).toContain('$h.aggregate("MIN"');
    expect(engine.default(CASES['range ASC, paged']!.sql).code).toContain('$h.wrapWhere(');
    expect(engine.default(CASES['COUNT']!.sql).code).not.toContain('$h.sort(');
    // Not order-free: a computed value, SUM and AVG, a filtering ORDER BY keep their sort.
    expect(engine.default(CASES['MAX of a computed value']!.sql).code).toContain('$h.sort(');
    expect(engine.default(CASES['SUM and AVG (sorted as before)']!.sql).code).toContain('$h.sort(');
    expect(engine.default(CASES['COUNT with ORDER BY']!.sql).code).toContain('$h.sort(');
  });
});

describe('query plans', () => {
  let endpoint: string;
  beforeAll(() => {
    const match = /AccountEndpoint=([^;]+);/.exec(process.env.COSMOS ?? '');
    if (!match?.[1]) throw new Error('COSMOS is not set: the global setup did not run');
    endpoint = match[1];
  });

  it('are refused at once with a 400, before the server looks at the query', async () => {
    const response = await fetch(new URL('dbs/none/colls/none/docs', endpoint), {
      method: 'POST',
      headers: {
        'content-type': 'application/query+json',
        'x-ms-cosmos-is-query-plan-request': 'True',
        'x-ms-documentdb-isquery': 'True',
      },
      body: JSON.stringify({ query: 'SELECT * FROM c' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'BadRequest',
      message: expect.stringContaining('query plans') as string,
    });
    // Without the header the same request reaches the server, which finds no such collection.
    const query = await fetch(new URL('dbs/none/colls/none/docs', endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/query+json', 'x-ms-documentdb-isquery': 'True' },
      body: JSON.stringify({ query: 'SELECT * FROM c' }),
    });
    expect(query.status).toBe(404);
  });
});

describe('stored documents', () => {
  it('come back with the fields and field order they were written with', async () => {
    const client = testCosmosClient();
    const databaseName = `shapes-${randomUUID().slice(0, 8)}`;
    try {
      const { database } = await client.databases.createIfNotExists({ id: databaseName });
      const { container } = await database.containers.createIfNotExists({ id: 'docs', partitionKey: '/pk' });
      const written = {
        zeta: 1,
        id: 'd1',
        '10': 'ten',
        pk: 'p',
        nested: { b: [1, { c: null }], a: 'x' },
        alpha: true,
      };
      await container.items.create(written);
      const { resource: read } = await container.item('d1', 'p').read<Record<string, unknown>>();
      const { resources: queried } = await container.items
        .query<Record<string, unknown>>('SELECT * FROM c')
        .fetchAll();
      const system = ['_etag', '_rid', '_self', '_ts'];
      for (const document of [read, queried[0]]) {
        expect(Object.keys(document ?? {})).toEqual([...Object.keys(written), ...system]);
        expect(document).toMatchObject(written);
      }
      await container.item('d1', 'p').replace({ ...written, alpha: false, omega: 'last' });
      const { resource: replaced } = await container.item('d1', 'p').read<Record<string, unknown>>();
      expect(Object.keys(replaced ?? {})).toEqual([...Object.keys(written), 'omega', ...system]);
      expect(replaced).toMatchObject({ ...written, alpha: false, omega: 'last' });
    } finally {
      await client
        .database(databaseName)
        .delete()
        .catch(() => undefined);
      client.dispose();
    }
  });
});
