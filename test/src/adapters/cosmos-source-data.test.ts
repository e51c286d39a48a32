// The Cosmos source data adapter against the local Cosmos stand-in, in a database of this file's own:
// filters, paging through many pages (cross-partition ORDER BY with continuations), counts, abort.
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCosmosSourceData } from '../../../src/adapters/cosmos-source-data';
import type { Album, Rating, RatingFilter, SourceData } from '../../../src/domain/report-types/source-data';
import { testCosmosClient } from '../../support/clients';

const GENRES = ['Rock', 'Jazz', 'Folk'];
const ALBUMS: Album[] = Array.from({ length: 12 }, (_, i) => ({
  id: `al-${String(i).padStart(2, '0')}`,
  title: `Album ${i}`,
  artist: `Artist ${i % 4}`,
  genre: GENRES[i % 3] ?? 'Rock',
  releaseYear: 1990 + i,
}));

/** 400 ratings over 2024, spread over the albums, with some equal timestamps and the range edges. */
const RATINGS: Rating[] = Array.from({ length: 400 }, (_, i) => ({
  id: `rt-${String(i).padStart(4, '0')}`,
  albumId: `al-${String((i * 7) % 12).padStart(2, '0')}`,
  userId: `u-${String(1 + (i % 30)).padStart(6, '0')}`,
  rating: 1 + (i % 5),
  // Every 20th rating shares its timestamp with the one before.
  ratedAt: new Date(Date.UTC(2024, 0, 1) + (i - (i % 20 === 19 ? 1 : 0)) * 21 * 3_600_000).toISOString(),
}));
RATINGS.push(
  { id: 'edge-before', albumId: 'al-01', userId: 'u-000001', rating: 1, ratedAt: '2023-12-31T23:59:59.999Z' },
  { id: 'edge-last', albumId: 'al-01', userId: 'u-000001', rating: 2, ratedAt: '2024-06-30T23:59:59.999Z' },
  { id: 'edge-after', albumId: 'al-01', userId: 'u-000001', rating: 3, ratedAt: '2024-07-01T00:00:00.000Z' },
);

let client: CosmosClient;
const databaseName = `src-${randomUUID()}`;
let albums: Container;
let ratings: Container;

const never = (): AbortSignal => new AbortController().signal;

async function collect<T>(pages: AsyncIterable<T[]>): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  for await (const page of pages) {
    items.push(...page);
    sizes.push(page.length);
  }
  return { items, sizes };
}

const inRange = (filter: RatingFilter) => (r: Rating) =>
  r.ratedAt >= filter.from &&
  r.ratedAt < filter.toExclusive &&
  (filter.albumId === undefined || r.albumId === filter.albumId);

const FIRST_HALF: RatingFilter = {
  from: '2024-01-01T00:00:00.000Z',
  toExclusive: '2024-07-01T00:00:00.000Z',
};

beforeAll(async () => {
  client = testCosmosClient();
  const { database } = await client.databases.createIfNotExists({ id: databaseName });
  ({ container: albums } = await database.containers.createIfNotExists({
    id: 'albums',
    partitionKey: { paths: ['/id'] },
  }));
  ({ container: ratings } = await database.containers.createIfNotExists({
    id: 'ratings',
    partitionKey: { paths: ['/albumId'] },
  }));
  await Promise.all(ALBUMS.map((a) => albums.items.create(a)));
  // Shuffled, so the stored order is not the time order.
  const shuffled = [...RATINGS].sort((a, b) =>
    a.id.split('').reverse().join() < b.id.split('').reverse().join() ? -1 : 1,
  );
  for (let i = 0; i < shuffled.length; i += 50) {
    await Promise.all(shuffled.slice(i, i + 50).map((r) => ratings.items.create(r)));
  }
});

afterAll(async () => {
  await client
    ?.database(databaseName)
    .delete()
    .catch(() => undefined);
  client?.dispose();
});

describe('Cosmos source data', () => {
  it('reads albums with just their fields, all or of one genre', async () => {
    const source = createCosmosSourceData(albums, ratings, { pageSize: 5 });

    const all = await collect(source.albums({}, never()));
    expect(all.items.sort((a, b) => a.id.localeCompare(b.id))).toEqual(ALBUMS);
    expect(all.sizes.every((n) => n <= 5)).toBe(true);

    const jazz = await collect(source.albums({ genre: 'Jazz' }, never()));
    expect(jazz.items.map((a) => a.id).sort()).toEqual(
      ALBUMS.filter((a) => a.genre === 'Jazz').map((a) => a.id),
    );
    expect(await collect(source.albums({ genre: 'Polka' }, never()))).toEqual({ items: [], sizes: [] });
  });

  it('pages through ratings in range oldest first, with just their fields', async () => {
    const source = createCosmosSourceData(albums, ratings, { pageSize: 7 });

    const { items, sizes } = await collect(source.ratings(FIRST_HALF, never()));

    const expected = RATINGS.filter(inRange(FIRST_HALF));
    expect(sizes.length).toBeGreaterThan(20);
    expect(sizes.every((n) => n <= 7)).toBe(true);
    expect(items).toHaveLength(expected.length);
    expect(new Set(items.map((r) => r.id)).size).toBe(expected.length);
    expect(items.map((r) => r.ratedAt)).toEqual(expected.map((r) => r.ratedAt).sort());
    expect([...items].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...expected].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(items.map((r) => r.id)).toContain('edge-last');
    expect(items.map((r) => r.id)).not.toContain('edge-before');
    expect(items.map((r) => r.id)).not.toContain('edge-after');
  });

  it("reads one album's ratings when albumId is given", async () => {
    const source = createCosmosSourceData(albums, ratings, { pageSize: 4 });
    const filter = { ...FIRST_HALF, albumId: 'al-01' };

    const { items } = await collect(source.ratings(filter, never()));

    const expected = RATINGS.filter(inRange(filter));
    expect(expected.length).toBeGreaterThan(5);
    expect(items.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
    expect(items.map((r) => r.ratedAt)).toEqual(expected.map((r) => r.ratedAt).sort());
  });

  it('counts ratings with the same filter', async () => {
    const source: SourceData = createCosmosSourceData(albums, ratings);
    const wholeYear = { from: '2024-01-01T00:00:00.000Z', toExclusive: '2025-01-01T00:00:00.000Z' };

    expect(await source.countRatings(FIRST_HALF, never())).toBe(RATINGS.filter(inRange(FIRST_HALF)).length);
    expect(await source.countRatings(wholeYear, never())).toBe(RATINGS.filter(inRange(wholeYear)).length);
    const one = { ...FIRST_HALF, albumId: 'al-03' };
    expect(await source.countRatings(one, never())).toBe(RATINGS.filter(inRange(one)).length);
    expect(
      await source.countRatings(
        { from: '2030-01-01T00:00:00.000Z', toExclusive: '2031-01-01T00:00:00.000Z' },
        never(),
      ),
    ).toBe(0);
  });

  it('stops with the abort reason between pages, reading nothing more', async () => {
    const source = createCosmosSourceData(albums, ratings, { pageSize: 10 });
    const controller = new AbortController();
    const seen: number[] = [];

    const run = (async () => {
      for await (const page of source.ratings(FIRST_HALF, controller.signal)) {
        seen.push(page.length);
        if (seen.length === 2) controller.abort();
      }
    })();

    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([10, 10]);
  });

  it('surfaces the abort reason when a request in flight is cancelled', async () => {
    const source = createCosmosSourceData(albums, ratings, { pageSize: 10 });
    const controller = new AbortController();
    const reason = new Error('report cancelled');

    const pending = source.ratings(FIRST_HALF, controller.signal)[Symbol.asyncIterator]().next();
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    await expect(source.countRatings(FIRST_HALF, controller.signal)).rejects.toBe(reason);
  });
});

/** What ratingStats must answer for `filter`, computed from the seeded documents. */
function expectedStats(filter: RatingFilter): { count: number; first: string | null; last: string | null } {
  const times = RATINGS.filter(inRange(filter))
    .map((r) => r.ratedAt)
    .sort();
  return { count: times.length, first: times[0] ?? null, last: times.at(-1) ?? null };
}

describe('rating stats', () => {
  it('count the ratings of the filter and give the oldest and newest ratedAt, bounds honoured', async () => {
    const source = createCosmosSourceData(albums, ratings, { pageSize: 7 });

    const stats = await source.ratingStats(FIRST_HALF, never());

    expect(stats).toEqual(expectedStats(FIRST_HALF));
    // `from` is inclusive and `toExclusive` is not: edge-before and edge-after stay out, edge-last is in.
    expect(stats).toEqual({
      count: RATINGS.filter(inRange(FIRST_HALF)).length,
      first: '2024-01-01T00:00:00.000Z',
      last: '2024-06-30T23:59:59.999Z',
    });
    expect(stats.count).toBe(await source.countRatings(FIRST_HALF, never()));
  });

  it('cover every rating over the whole range, across partitions', async () => {
    const source = createCosmosSourceData(albums, ratings);
    const everything = { from: '2000-01-01T00:00:00.000Z', toExclusive: '2100-01-01T00:00:00.000Z' };

    const stats = await source.ratingStats(everything, never());

    expect(stats).toEqual({
      count: RATINGS.length,
      first: '2023-12-31T23:59:59.999Z',
      last: [...RATINGS.map((r) => r.ratedAt)].sort().at(-1),
    });
    const wholeYear = { from: '2024-01-01T00:00:00.000Z', toExclusive: '2025-01-01T00:00:00.000Z' };
    expect(await source.ratingStats(wholeYear, never())).toEqual(expectedStats(wholeYear));
  });

  it("read one album's ratings when albumId is given", async () => {
    const source = createCosmosSourceData(albums, ratings);
    const oneAlbum = { ...FIRST_HALF, albumId: 'al-03' };

    const stats = await source.ratingStats(oneAlbum, never());

    expect(stats.count).toBeGreaterThan(5);
    expect(stats.count).toBeLessThan(RATINGS.filter(inRange(FIRST_HALF)).length);
    expect(stats).toEqual(expectedStats(oneAlbum));
    // al-01 holds the edge ratings: its last is the one just inside the range.
    const edgeAlbum = { ...FIRST_HALF, albumId: 'al-01' };
    expect(await source.ratingStats(edgeAlbum, never())).toEqual({
      ...expectedStats(edgeAlbum),
      last: '2024-06-30T23:59:59.999Z',
    });
  });

  it('are a zero count and no timestamps when the filter holds no rating', async () => {
    const source = createCosmosSourceData(albums, ratings);
    const empty = { count: 0, first: null, last: null };

    expect(
      await source.ratingStats(
        { from: '2030-01-01T00:00:00.000Z', toExclusive: '2031-01-01T00:00:00.000Z' },
        never(),
      ),
    ).toEqual(empty);
    // An empty range: `from` equal to `toExclusive`, at a rating's own timestamp (edge-after).
    expect(
      await source.ratingStats(
        { from: '2024-07-01T00:00:00.000Z', toExclusive: '2024-07-01T00:00:00.000Z' },
        never(),
      ),
    ).toEqual(empty);
    expect(await source.ratingStats({ ...FIRST_HALF, albumId: 'al-none' }, never())).toEqual(empty);
  });

  it('stop with the abort reason, in flight or before the request', async () => {
    const source = createCosmosSourceData(albums, ratings);
    const controller = new AbortController();
    const reason = new Error('report cancelled');

    const pending = source.ratingStats(FIRST_HALF, controller.signal);
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    await expect(source.ratingStats(FIRST_HALF, controller.signal)).rejects.toBe(reason);
  });
});
