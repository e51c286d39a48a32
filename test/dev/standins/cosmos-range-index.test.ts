// The Cosmos stand-in's range index (dev/standins/cosmos.ts) gives what the server gives without it: the
// same steps (writes, and queries followed page by page) run on one of the server's containers first as
// the server comes (this file's process has not started a stand-in yet), then again on a fresh one
// once startCosmosServer has changed the server, and every page and error must be equal. The range
// queries must also have reached the engine with fewer documents than the container holds.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCosmosServer } from '../../../dev/standins/cosmos';
import { seededRandom } from '../../support/seeded-random';

interface Page {
  result: unknown[];
  continuation: { token: string } | null;
}
interface Documents {
  create(data: Record<string, unknown>): Record<string, unknown>;
  upsert(data: Record<string, unknown>): Record<string, unknown>;
  replace(data: Record<string, unknown>, original: unknown): Record<string, unknown>;
  delete(id: string, partition: unknown): void;
  query(
    params: { query: string; parameters?: { name: string; value: unknown }[] },
    options: { maxItemCount?: number; continuation?: Page['continuation'] },
  ): Page | null;
  _data: Map<string, { read(): Record<string, unknown> }>;
}

/** The stored document with this id (the server finds one by id and partition key). */
function stored(documents: Documents, id: string): Record<string, unknown> {
  for (const item of documents._data.values()) if (item.read().id === id) return item.read();
  throw new Error(`${id} is not stored`);
}
interface Account {
  databases: { create(data: object): unknown };
  database(id: string): { read(): unknown; collections: { create(data: object): unknown } } & {
    collection(id: string): { documents: Documents };
  };
}

const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
const AccountClass = (serverRequire('./account') as { default: new (host: string, port: number) => Account })
  .default;
const engine = serverRequire('@zeit/cosmosdb-query') as {
  default: (sql: string) => { exec(documents: unknown[], options: unknown): unknown };
};

/**
 * 800 rating-like documents: few distinct timestamps (many ties, also at the bounds); some without
 * `ratedAt`, with null, a number, a boolean, an object, an array there; `score` mixes numbers (NaN
 * too), numeric strings and nothing.
 */
function documents(): Record<string, unknown>[] {
  const next = seededRandom(11);
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < 800; i++) {
    const doc: Record<string, unknown> = {
      id: `r-${i}`,
      albumId: `al-${Math.floor(next() * 5)}`,
      userId: `u-${Math.floor(next() * 30)}`,
      rating: 1 + Math.floor(next() * 5),
      ratedAt: `2024-0${1 + Math.floor(next() * 6)}-1${Math.floor(next() * 3)}T00:00:00.000Z`,
    };
    if (i % 97 === 5) delete doc.ratedAt;
    if (i % 101 === 7) doc.ratedAt = null;
    if (i % 89 === 3) doc.ratedAt = 20240301;
    if (i % 83 === 2) doc.ratedAt = true;
    if (i % 113 === 9) doc.ratedAt = { at: '2024-03-10T00:00:00.000Z' };
    if (i % 71 === 4) doc.ratedAt = ['2024-03-10T00:00:00.000Z'];
    if (i % 3 === 0) doc.score = Math.floor(next() * 20) / 2;
    else if (i % 3 === 1) doc.score = String(Math.floor(next() * 10));
    if (i % 131 === 0) doc.score = NaN;
    docs.push(doc);
  }
  return docs;
}

const ROW = 'c.id, c.albumId, c.userId, c.rating, c.ratedAt';
const WINDOW = 'c.ratedAt >= @from AND c.ratedAt < @to';
const CHUNK = `SELECT ${ROW} FROM c WHERE ${WINDOW} ORDER BY c.ratedAt`;
const ALBUM_CHUNK = `SELECT ${ROW} FROM c WHERE ${WINDOW} AND c.albumId = @albumId ORDER BY c.ratedAt`;
const window = (from: unknown, to: unknown) => [
  { name: '@from', value: from },
  { name: '@to', value: to },
];
// Bounds that are timestamps the documents have: ties at both ends.
const MARCH = window('2024-03-10T00:00:00.000Z', '2024-05-11T00:00:00.000Z');

type Step =
  | { query: string; parameters?: { name: string; value: unknown }[]; pageSize?: number }
  | { write: (documents: Documents) => void };

const STEPS: Record<string, Step> = {
  'a window, ties at both bounds, paged': { query: CHUNK, parameters: MARCH, pageSize: 37 },
  'a window of one album': {
    query: ALBUM_CHUNK,
    parameters: [...MARCH, { name: '@albumId', value: 'al-3' }],
  },
  'a window of one album, paged': {
    query: ALBUM_CHUNK,
    parameters: [...MARCH, { name: '@albumId', value: 'al-1' }],
    pageSize: 9,
  },
  'an empty window': {
    query: CHUNK,
    parameters: window('2024-03-10T00:00:00.000Z', '2024-03-10T00:00:00.000Z'),
  },
  'a window past the end': { query: CHUNK, parameters: window('2030-01-01', '2031-01-01') },
  'a window before the start': { query: CHUNK, parameters: window('2000-01-01', '2024-01-10T00:00:00.000Z') },
  'a window at the start': { query: CHUNK, parameters: window('', '2024-02-11T00:00:00.000Z'), pageSize: 50 },
  'a window at the end': { query: CHUNK, parameters: window('2024-06-10T00:00:00.000Z', '2099') },
  'upside-down bounds': { query: CHUNK, parameters: window('2024-05-01', '2024-02-01') },
  'DESC, paged': {
    query: `SELECT ${ROW} FROM c WHERE ${WINDOW} ORDER BY c.ratedAt DESC`,
    parameters: MARCH,
    pageSize: 64,
  },
  'no ORDER BY (by _rid)': { query: `SELECT c.id, c.ratedAt FROM c WHERE ${WINDOW}`, parameters: MARCH },
  'ORDER BY another path': {
    query: `SELECT c.id FROM c WHERE ${WINDOW} ORDER BY c.userId DESC`,
    parameters: MARCH,
  },
  'a number bound over a path of mixed types': {
    query: 'SELECT c.id, c.ratedAt FROM c WHERE c.ratedAt > @n',
    parameters: [{ name: '@n', value: 0 }],
  },
  'a string bound over numbers and numeric strings': {
    query: "SELECT c.id, c.score FROM c WHERE c.score >= '3' ORDER BY c.score",
  },
  'number bounds over numbers, NaN and strings': {
    query: 'SELECT c.id, c.score FROM c WHERE 2.5 <= c.score AND c.score <= 7 ORDER BY c.score DESC',
  },
  'a string and a number bound on one path': {
    query: 'SELECT c.id FROM c WHERE c.score >= @s AND c.score < 5',
    parameters: [{ name: '@s', value: '1' }],
  },
  'a bound of another type (null)': { query: CHUNK, parameters: window(null, '2024-05-01') },
  'a missing parameter': { query: CHUNK, parameters: [{ name: '@from', value: '2024-02-01' }] },
  'a path no document has': { query: "SELECT c.id FROM c WHERE c.missing >= 'a'" },
  'a nested path': { query: "SELECT c.id FROM c WHERE c.ratedAt.at >= '2024'" },
  'TOP n of a window': {
    query: `SELECT TOP 13 ${ROW} FROM c WHERE ${WINDOW} ORDER BY c.ratedAt`,
    parameters: MARCH,
  },
  'COUNT, MIN, MAX of a window': {
    query: `SELECT COUNT(1) AS n, MIN(c.ratedAt) AS first, MAX(c.ratedAt) AS last FROM c WHERE ${WINDOW}`,
    parameters: MARCH,
  },
  'an error after the WHERE': {
    query: `SELECT c.id FROM c WHERE ${WINDOW} ORDER BY c.albumId, c.ratedAt`,
    parameters: MARCH,
  },
  'OR (not served by the index)': {
    query: "SELECT c.id FROM c WHERE c.ratedAt >= '2024-06' OR c.rating = 5",
  },
  'a write in the window': {
    write: (d) => {
      d.create({
        id: 'new-1',
        albumId: 'al-3',
        userId: 'u-1',
        rating: 5,
        ratedAt: '2024-03-10T00:00:00.000Z',
      });
    },
  },
  'the window after a create': { query: CHUNK, parameters: MARCH, pageSize: 40 },
  'writes out of and into the window': {
    write: (d) => {
      for (const id of ['r-10', 'r-11', 'r-12', 'r-13']) {
        const original = stored(d, id);
        // A replace keeps the _rid but moves the document after the others: _rid order is not the
        // container's order any more.
        d.replace(
          { ...original, ratedAt: id === 'r-10' ? '2023-01-01' : '2024-03-10T00:00:00.000Z' },
          original,
        );
      }
      d.upsert({ id: 'r-20', albumId: 'al-1', userId: 'u-2', rating: 2, ratedAt: 7 });
      d.upsert({
        id: 'new-2',
        albumId: 'al-1',
        userId: 'u-2',
        rating: 2,
        ratedAt: '2024-05-10T00:00:00.000Z',
      });
    },
  },
  'the window after replaces and upserts': { query: CHUNK, parameters: MARCH, pageSize: 40 },
  'one album after replaces and upserts': {
    query: ALBUM_CHUNK,
    parameters: [...MARCH, { name: '@albumId', value: 'al-1' }],
  },
  'a delete': {
    write: (d) => {
      for (const id of ['r-11', 'new-1', 'r-30', 'r-31']) d.delete(id, stored(d, id).albumId);
    },
  },
  'the window after deletes': { query: CHUNK, parameters: MARCH, pageSize: 40 },
  'the numbers after deletes': {
    query: 'SELECT c.id, c.ratedAt FROM c WHERE c.ratedAt > @n',
    parameters: [{ name: '@n', value: 0 }],
  },
};

/** Every step on a fresh container: what each query answered (its pages, or its error). */
function scenario(): Record<string, unknown> {
  const account = new AccountClass('127.0.0.1', 8081);
  account.databases.create({ id: 'db' });
  account.database('db').collections.create({ id: 'ratings', partitionKey: { paths: ['/albumId'] } });
  const documentsOf = account.database('db').collection('ratings').documents;
  for (const doc of documents()) documentsOf.create(doc);
  const answers: Record<string, unknown> = {};
  for (const [name, step] of Object.entries(STEPS)) {
    if ('write' in step) {
      step.write(documentsOf);
      continue;
    }
    try {
      const pages: unknown[][] = [];
      let continuation: Page['continuation'] = null;
      do {
        const page = documentsOf.query(
          { query: step.query, parameters: step.parameters ?? [] },
          { maxItemCount: step.pageSize, continuation },
        );
        if (!page) throw new Error('no such container');
        pages.push(page.result);
        continuation = page.continuation;
      } while (continuation && pages.length < 1000);
      answers[name] = { pages };
    } catch (error) {
      answers[name] = { error: String(error) };
    }
  }
  return answers;
}

let expected: Record<string, unknown>;
let actual: Record<string, unknown>;
/** How many documents each range query handed the engine, in the run with the index. */
const handed: number[] = [];

beforeAll(async () => {
  expected = scenario();
  const server = await startCosmosServer({ port: 0 });
  await server.close();
  const prototype = Object.getPrototypeOf(engine.default('SELECT * FROM c')) as {
    exec(this: unknown, documents: unknown[], options: unknown): unknown;
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const exec = prototype.exec;
  prototype.exec = function (documents, options) {
    handed.push(documents.length);
    return exec.call(this, documents, options);
  };
  try {
    actual = scenario();
  } finally {
    prototype.exec = exec;
  }
});

describe('the Cosmos stand-in range index', () => {
  it.each(Object.keys(STEPS).filter((name) => 'query' in STEPS[name]!))(
    '%s: the same answer as the server without it',
    (name) => {
      expect(actual[name]).toEqual(expected[name]);
    },
  );

  it('the cases are not trivial: rows, ties at the bounds, pages, errors, and fewer documents read', () => {
    const rows = (name: string) => {
      const answer = expected[name] as { pages?: unknown[][]; error?: string };
      if (!answer.pages) throw new Error(`${name}: ${answer.error}`);
      return answer.pages;
    };
    const march = rows('a window, ties at both bounds, paged').flat() as { ratedAt: string }[];
    expect(march.length).toBeGreaterThan(200);
    expect(march[0]!.ratedAt).toBe('2024-03-10T00:00:00.000Z');
    expect(march.filter((r) => r.ratedAt === '2024-03-10T00:00:00.000Z').length).toBeGreaterThan(5);
    expect(march.some((r) => r.ratedAt === '2024-05-11T00:00:00.000Z')).toBe(false);
    expect(rows('a window, ties at both bounds, paged').length).toBeGreaterThan(5);
    expect(rows('a window of one album, paged').length).toBeGreaterThan(3);
    expect(rows('an empty window')).toEqual([[]]);
    for (const name of [
      'a window at the start',
      'a window at the end',
      'a number bound over a path of mixed types',
      'a string bound over numbers and numeric strings',
      'number bounds over numbers, NaN and strings',
      'a nested path',
      'the window after replaces and upserts',
    ])
      expect(rows(name).flat().length, name).toBeGreaterThan(0);
    expect(rows('a string and a number bound on one path')).toEqual([[]]);
    expect(expected['an error after the WHERE']).toMatchObject({
      error: expect.stringContaining('composite') as string,
    });
    // The writes show: the rebuilt index sees the new, moved and deleted documents.
    const after = (name: string) => (rows(name).flat() as { id: string }[]).map((r) => r.id);
    expect(after('the window after a create')).toContain('new-1');
    expect(after('the window after replaces and upserts')).toEqual(
      expect.arrayContaining(['new-1', 'new-2', 'r-12']),
    );
    expect(after('the window after deletes')).not.toContain('new-1');
    expect(after('the numbers after deletes')).toContain('r-20');
    // Range queries reached the engine with a part of the container only (800 documents and more).
    expect(Math.min(...handed)).toBeLessThan(300);
    expect(handed.filter((n) => n < 800).length).toBeGreaterThan(15);
  });
});
