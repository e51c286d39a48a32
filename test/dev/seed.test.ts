// The seed command against the local Cosmos stand-in, each case in a fresh database: exact counts,
// the same documents for the same seed, a power-law popularity, plausible values, --if-empty, the CLI.
import { randomUUID } from 'node:crypto';
import type { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  END_RATING_TIME,
  FIRST_RATING_TIME,
  GENRES,
  generateAlbums,
  generateRatings,
  main,
  parseSeedArgs,
  seedSourceData,
  type SeedTarget,
} from '../../dev/seed';
import { loadConfig } from '../../src/config';
import type { Album, Rating } from '../../src/domain/report-types/source-data';
import { testCosmosClient } from '../support/clients';

let client: CosmosClient;
const databases: string[] = [];

/** The run's Cosmos settings with a database nobody else uses. */
function freshTarget(): { cosmos: SeedTarget } {
  const name = `seed-${randomUUID().slice(0, 8)}`;
  databases.push(name);
  return { cosmos: { ...loadConfig(process.env).cosmos, databaseName: name } };
}

async function readAll<T>(target: { cosmos: SeedTarget }, container: string): Promise<T[]> {
  const { resources } = await client
    .database(target.cosmos.databaseName)
    .container(container)
    .items.query<T>('SELECT * FROM c', { maxItemCount: 5000 })
    .fetchAll();
  // Without the system properties (_rid, _etag, ...).
  return resources.map(
    (doc) => Object.fromEntries(Object.entries(doc as object).filter(([key]) => !key.startsWith('_'))) as T,
  );
}

async function count(target: { cosmos: SeedTarget }, container: string): Promise<number> {
  const { resources } = await client
    .database(target.cosmos.databaseName)
    .container(container)
    .items.query<number>('SELECT VALUE COUNT(1) FROM c')
    .fetchAll();
  return resources.reduce((sum, n) => sum + n, 0);
}

const byId = <T extends { id: string }>(a: T, b: T): number => a.id.localeCompare(b.id);

beforeAll(() => {
  client = testCosmosClient();
});

afterAll(async () => {
  await Promise.all(
    databases.map((name) =>
      client
        .database(name)
        .delete()
        .catch(() => undefined),
    ),
  );
  client?.dispose();
});

describe('seed', () => {
  const ALBUMS = 60;
  const RATINGS = 3000;
  let target: { cosmos: SeedTarget };
  let albums: Album[];
  let ratings: Rating[];

  beforeAll(async () => {
    target = freshTarget();
    const result = await seedSourceData({ config: target, albums: ALBUMS, ratings: RATINGS, seed: 42 });
    expect(result).toMatchObject({ skipped: false, albums: ALBUMS, ratings: RATINGS });
    expect(result.rowsPerSecond).toBeGreaterThan(0);
    albums = await readAll<Album>(target, target.cosmos.albumsContainer);
    ratings = await readAll<Rating>(target, target.cosmos.ratingsContainer);
  }, 60_000);

  it('creates the containers and writes exactly the albums and ratings asked for', async () => {
    expect(await count(target, target.cosmos.albumsContainer)).toBe(ALBUMS);
    expect(await count(target, target.cosmos.ratingsContainer)).toBe(RATINGS);
    const database = client.database(target.cosmos.databaseName);
    const { resource: ratingsDef } = await database.container(target.cosmos.ratingsContainer).read();
    const { resource: albumsDef } = await database.container(target.cosmos.albumsContainer).read();
    expect(ratingsDef?.partitionKey?.paths).toEqual(['/albumId']);
    expect(albumsDef?.partitionKey?.paths).toEqual(['/id']);
  });

  it('writes the documents the generators make for the seed, the same every time', () => {
    const expectedAlbums = generateAlbums(ALBUMS, 42);
    expect(albums.sort(byId)).toEqual(expectedAlbums);
    expect(ratings.sort(byId)).toEqual([...generateRatings(expectedAlbums, RATINGS, 42)]);

    expect(generateAlbums(ALBUMS, 42)).toEqual(expectedAlbums);
    expect(generateAlbums(ALBUMS, 43)).not.toEqual(expectedAlbums);
    expect([...generateRatings(expectedAlbums, RATINGS, 43)]).not.toEqual(ratings);
  });

  it('gives album popularity a power-law shape', () => {
    const perAlbum = new Map(albums.map((a) => [a.id, 0]));
    for (const r of ratings) perAlbum.set(r.albumId, (perAlbum.get(r.albumId) ?? 0) + 1);
    const counts = [...perAlbum.values()].sort((a, b) => b - a);
    const share = (part: number[]): number => part.reduce((s, n) => s + n, 0) / RATINGS;

    const top10 = share(counts.slice(0, ALBUMS / 10));
    const bottom50 = share(counts.slice(ALBUMS / 2));

    expect(top10).toBeGreaterThan(0.4);
    expect(top10).toBeGreaterThan(3 * bottom50);
    expect(counts[0]).toBeGreaterThan(5 * (counts[ALBUMS / 2] ?? 0));
  });

  it('makes plausible values', () => {
    const albumById = new Map(albums.map((a) => [a.id, a]));
    expect(new Set(albums.map((a) => a.genre)).size).toBeGreaterThanOrEqual(8);
    for (const a of albums) {
      expect(a.id).toMatch(/^al-\d{6}$/);
      expect(GENRES).toContain(a.genre);
      expect(a.releaseYear).toBeGreaterThanOrEqual(1960);
      expect(a.releaseYear).toBeLessThanOrEqual(2025);
      expect(a.title.length).toBeGreaterThan(3);
      expect(a.artist.length).toBeGreaterThan(3);
    }
    const values = new Set<number>();
    for (const r of ratings) {
      const album = albumById.get(r.albumId);
      expect(album).toBeDefined();
      expect(r.userId).toMatch(/^u-\d{6}$/);
      expect(Number.isInteger(r.rating) && r.rating >= 1 && r.rating <= 5).toBe(true);
      values.add(r.rating);
      const time = Date.parse(r.ratedAt);
      expect(new Date(time).toISOString()).toBe(r.ratedAt);
      expect(time).toBeGreaterThanOrEqual(
        Math.max(FIRST_RATING_TIME, Date.UTC(album?.releaseYear ?? 0, 0, 1)),
      );
      expect(time).toBeLessThan(END_RATING_TIME);
    }
    expect(values.size).toBe(5);
    const years = new Set(ratings.map((r) => r.ratedAt.slice(0, 4)));
    expect([...years].sort()).toEqual(['2019', '2020', '2021', '2022', '2023', '2024', '2025']);
  });

  it('with ifEmpty, seeds an empty database but leaves one that has albums alone', async () => {
    const fresh = freshTarget();
    const first = await seedSourceData({ config: fresh, albums: 5, ratings: 20, ifEmpty: true });
    expect(first).toMatchObject({ skipped: false, albums: 5, ratings: 20 });

    const second = await seedSourceData({ config: fresh, albums: 9, ratings: 90, seed: 2, ifEmpty: true });
    expect(second).toMatchObject({ skipped: true, albums: 0, ratings: 0 });
    expect(await count(fresh, fresh.cosmos.albumsContainer)).toBe(5);
    expect(await count(fresh, fresh.cosmos.ratingsContainer)).toBe(20);
  });

  it('rejects impossible counts before writing anything', async () => {
    await expect(seedSourceData({ config: freshTarget(), albums: 0, ratings: 10 })).rejects.toThrow(
      'at least one album',
    );
    await expect(seedSourceData({ config: freshTarget(), albums: -1, ratings: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('seed command line', () => {
  it('parses its arguments', () => {
    expect(parseSeedArgs(['--albums', '10', '--ratings', '200'])).toEqual({
      albums: 10,
      ratings: 200,
      seed: 1,
      ifEmpty: false,
    });
    expect(parseSeedArgs(['--albums', '1', '--ratings', '0', '--seed', '9', '--if-empty'])).toEqual({
      albums: 1,
      ratings: 0,
      seed: 9,
      ifEmpty: true,
    });
    expect(parseSeedArgs(['--help'])).toBeUndefined();
    expect(() => parseSeedArgs(['--ratings', '5'])).toThrow('--albums is required');
    expect(() => parseSeedArgs(['--albums', '2.5', '--ratings', '5'])).toThrow('whole number');
    expect(() => parseSeedArgs(['--albums', '0', '--ratings', '5'])).toThrow('--albums of at least 1');
    expect(() => parseSeedArgs(['--albums', '1', '--ratings', '5', '--bogus'])).toThrow();
  });

  it('seeds the database the settings name and prints its throughput; --if-empty then writes nothing', async () => {
    const target = freshTarget();
    const previous = process.env.COSMOS_DATABASE_NAME;
    process.env.COSMOS_DATABASE_NAME = target.cosmos.databaseName;
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let lines: string[];
    try {
      expect(await main(['--albums', '4', '--ratings', '40', '--if-empty'])).toBe(0);
      expect(await main(['--albums', '4', '--ratings', '40', '--if-empty'])).toBe(0);
      lines = log.mock.calls.map((call) => String(call[0]));
    } finally {
      log.mockRestore();
      process.env.COSMOS_DATABASE_NAME = previous;
    }
    expect(lines[0]).toMatch(
      new RegExp(
        `^seed: wrote 4 albums and 40 ratings to ${target.cosmos.databaseName}/albums, ratings in [\\d.]+ s \\(\\d+ rows/s\\)$`,
      ),
    );
    expect(lines[1]).toContain('already has albums; nothing written');
    expect(await count(target, 'ratings')).toBe(40);
  });

  it('describes every option on --help', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let written: string;
    try {
      expect(await main(['--help'])).toBe(0);
      written = stdout.mock.calls.map((call) => String(call[0])).join('');
    } finally {
      stdout.mockRestore();
    }
    for (const option of ['--albums N', '--ratings M', '--seed S', '--if-empty', '--help'])
      expect(written).toMatch(new RegExp(`^\\s+(-h, )?${option}\\s+\\S`, 'm'));
    expect(written.split('\n').length).toBeGreaterThan(10);
  });

  it('exits with 2 and the usage on bad arguments', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let written: string;
    try {
      expect(await main(['--albums', 'many'])).toBe(2);
      written = stderr.mock.calls.map((call) => String(call[0])).join('');
    } finally {
      stderr.mockRestore();
    }
    expect(written).toContain('seed: --albums must be a whole number');
    expect(written).toContain('usage: npm run seed');
  });
});
