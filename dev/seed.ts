// Sample source data for the report types: albums and their ratings, generated from a seed so the same
// arguments always write the same documents.
//
//   npm run seed -- --albums 500 --ratings 200000 [--seed 1] [--if-empty]
//
// Writes to the albums and ratings containers the app's settings name (COSMOS or
// COSMOS__accountEndpoint, COSMOS_DATABASE_NAME, COSMOS_ALBUMS_CONTAINER, COSMOS_RATINGS_CONTAINER).
// Unset settings default to the local stand-ins of `npm start`, so against Azure set the same settings
// the Function App has. Documents are upserted: running it again with the same arguments changes nothing.
//
// The data: albums with titles and artists made of word lists, ten genres, release years 1960-2025.
// Album popularity follows a power law (Zipf, s = 1.1): a few albums get most ratings. Each album has a
// hidden quality that its ratings (1-5) scatter around. Ratings fall between 2019-01-01 and 2025-12-31,
// never before their album's release year.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Container, CosmosClient, OperationInput } from '@azure/cosmos';
import { localSettings } from './local-env';
import { parsePort } from './standins/lifecycle';
import { createCosmosClient } from '../src/adapters/azure-clients';
import { loadConfig, type Connection } from '../src/config';
import { GENRES, type Album, type Rating } from '../src/domain/report-types/source-data';

/** Where to seed: a Cosmos connection plus the database and the two source containers. */
export type SeedTarget = Connection & {
  databaseName: string;
  albumsContainer: string;
  ratingsContainer: string;
};

export interface SeedOptions {
  /** The app's configuration (only `cosmos` is read): the connection, database and container names. */
  config: { cosmos: SeedTarget };
  albums: number;
  ratings: number;
  /** PRNG seed; the same seed and counts give the same documents. Default 1. */
  seed?: number;
  /** Do nothing when the albums container already holds a document. */
  ifEmpty?: boolean;
  /** Operations per bulk call. Default 5000. */
  chunkSize?: number;
  /** Bulk calls in flight at once. Default 4. */
  concurrency?: number;
}

export interface SeedResult {
  /** True when `ifEmpty` found albums and nothing was written. */
  skipped: boolean;
  albums: number;
  ratings: number;
  elapsedMs: number;
  /** Documents written per second, albums and ratings together. */
  rowsPerSecond: number;
}

export const DEFAULT_SEED = 1;
export const ZIPF_EXPONENT = 1.1;
export const FIRST_RATING_TIME = Date.UTC(2019, 0, 1);
/** Exclusive: the last rating is on 2025-12-31. */
export const END_RATING_TIME = Date.UTC(2026, 0, 1);

/** The genres albums are drawn from (the popularity report's `genre` parameter lists the same). */
export { GENRES };

const ADJECTIVES = (
  'Silver Electric Quiet Broken Golden Midnight Velvet Wild Hollow Bright Distant Restless Crimson ' +
  'Paper Neon Northern Slow Burning Secret Endless Blue Faded Gentle Iron Lonely Lucky Strange ' +
  'Sweet Tender Young'
).split(' ');
const NOUNS = (
  'Horizon River Garden Machine Heart Highway Ocean Mirror Signal Harbor Summer Winter Echo ' +
  'Lantern Desert Thunder Window Forest Orbit Shadow Station Valley Voice Wave Dream Fire Island ' +
  'Letter Morning Road'
).split(' ');
const BAND_NOUNS = (
  'Owls Wolves Ravens Tigers Sparrows Satellites Strangers Pilots Saints Engines Foxes Comets ' +
  'Lions Drifters Ghosts Kings Rivers Echoes'
).split(' ');
const FIRST_NAMES = (
  'Maya Leo Nina Oscar Iris Jonas Clara Felix Rosa Hugo Lena Marcus Ada Theo Zoe Elias June Rafael ' +
  'Vera Samuel'
).split(' ');
const LAST_NAMES = (
  'Brooks Hart Moreno Lindqvist Okafor Bell Castillo Novak Reyes Sato Fischer Quinn Dubois ' +
  'Kowalski Mendes Park Stone Varga Wilde Young'
).split(' ');

/**
 * A small deterministic PRNG: a 32-bit Weyl sequence run through an integer mixing function. Returns
 * numbers in [0, 1). Not for anything secret.
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 0x1_0000_0000;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `count` albums, ids `al-000001`...; the same for the same seed. */
export function generateAlbums(count: number, seed: number = DEFAULT_SEED): Album[] {
  const random = createRandom(seed);
  const albums: Album[] = [];
  for (let i = 1; i <= count; i += 1) {
    const adjective = pick(random, ADJECTIVES);
    const noun = pick(random, NOUNS);
    const form = random();
    const title =
      form < 0.4
        ? `The ${adjective} ${noun}`
        : form < 0.75
          ? `${adjective} ${noun}`
          : `${noun} of ${pick(random, NOUNS)}`;
    const artist =
      random() < 0.5
        ? `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`
        : `The ${pick(random, ADJECTIVES)} ${pick(random, BAND_NOUNS)}`;
    albums.push({
      id: `al-${pad(i, 6)}`,
      title,
      artist,
      genre: pick(random, GENRES),
      releaseYear: 1960 + Math.floor(random() * 66),
    });
  }
  return albums;
}

/**
 * `count` ratings of `albums`, generated lazily (memory stays bounded by the albums), ids `rt-000000001`...;
 * the same for the same albums, count and seed. About twenty ratings a user.
 */
export function* generateRatings(
  albums: readonly Album[],
  count: number,
  seed: number = DEFAULT_SEED,
): Generator<Rating> {
  if (count > 0 && albums.length === 0) throw new Error('ratings need at least one album');
  // Its own stream, so the albums come out the same whatever the rating count.
  const random = createRandom((seed ^ 0x5bd1e995) >>> 0);
  // Hidden quality, centred a little above 3.
  const quality = albums.map(() => 1.6 + 3 * ((random() + random()) / 2));
  // Popularity: album at popularity rank k (a random permutation) has weight 1 / k^s.
  const order = albums.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const cumulative: number[] = [];
  let totalWeight = 0;
  for (let k = 0; k < order.length; k += 1) {
    totalWeight += 1 / (k + 1) ** ZIPF_EXPONENT;
    cumulative.push(totalWeight);
  }
  const firstTime = albums.map((album) => Math.max(FIRST_RATING_TIME, Date.UTC(album.releaseYear, 0, 1)));
  const users = Math.max(50, Math.ceil(count / 20));

  for (let i = 1; i <= count; i += 1) {
    const target = random() * totalWeight;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! > target) high = mid;
      else low = mid + 1;
    }
    const index = order[low]!;
    const album = albums[index]!;
    const userId = `u-${pad(1 + Math.floor(random() * users), 6)}`;
    const noise = (random() + random() + random() - 1.5) * 1.4;
    const rating = Math.min(5, Math.max(1, Math.round(quality[index]! + noise)));
    const start = firstTime[index]!;
    const ratedAt = new Date(start + Math.floor(random() * (END_RATING_TIME - start))).toISOString();
    yield { id: `rt-${pad(i, 9)}`, albumId: album.id, userId, rating, ratedAt };
  }
}

/** Opens (creating if missing) the source containers: albums by /id, ratings by /albumId. */
export async function ensureSourceContainers(
  client: CosmosClient,
  target: Pick<SeedTarget, 'databaseName' | 'albumsContainer' | 'ratingsContainer'>,
): Promise<{ albums: Container; ratings: Container }> {
  const { database } = await client.databases.createIfNotExists({ id: target.databaseName });
  const [{ container: albums }, { container: ratings }] = await Promise.all([
    database.containers.createIfNotExists({ id: target.albumsContainer, partitionKey: { paths: ['/id'] } }),
    database.containers.createIfNotExists({
      id: target.ratingsContainer,
      partitionKey: { paths: ['/albumId'] },
    }),
  ]);
  return { albums, ratings };
}

/** Upserts `documents` in bulk calls of `chunkSize`, at most `concurrency` at once; returns how many. */
async function bulkUpsert<T extends { id: string }>(
  container: Container,
  documents: Iterable<T>,
  partitionKeyOf: (doc: T) => string,
  chunkSize: number,
  concurrency: number,
): Promise<number> {
  const source = documents[Symbol.iterator]();
  let written = 0;
  const nextChunk = (): OperationInput[] => {
    const ops: OperationInput[] = [];
    while (ops.length < chunkSize) {
      const next = source.next();
      if (next.done) break;
      ops.push({
        operationType: 'Upsert',
        partitionKey: partitionKeyOf(next.value),
        resourceBody: { ...next.value },
      });
    }
    return ops;
  };
  const worker = async (): Promise<void> => {
    for (let ops = nextChunk(); ops.length > 0; ops = nextChunk()) {
      // Throttled operations are retried inside the SDK; whatever still failed is an error here.
      const results = await container.items.executeBulkOperations(ops);
      const failed = results.filter((r) => r.error || !r.response || r.response.statusCode >= 300);
      if (failed.length > 0) {
        const first = failed[0];
        const reason = first?.error?.message ?? `status ${String(first?.response?.statusCode)}`;
        throw new Error(
          `${failed.length} of ${ops.length} writes to ${container.id} failed, e.g.: ${reason}`,
        );
      }
      written += ops.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return written;
}

/** Seeds the source containers (creating them if missing). */
export async function seedSourceData(options: SeedOptions): Promise<SeedResult> {
  const { albums: albumCount, ratings: ratingCount } = options;
  const seed = options.seed ?? DEFAULT_SEED;
  const chunkSize = options.chunkSize ?? 5000;
  const concurrency = options.concurrency ?? 4;
  for (const [name, value] of Object.entries({ albums: albumCount, ratings: ratingCount, seed })) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name} must be a whole number >= 0`);
  }
  if (ratingCount > 0 && albumCount === 0) throw new RangeError('ratings need at least one album');

  const target = options.config.cosmos;
  const client = createCosmosClient(target);
  try {
    const started = performance.now();
    const containers = await ensureSourceContainers(client, target);
    if (options.ifEmpty) {
      const { resources } = await containers.albums.items
        .query<string>('SELECT TOP 1 VALUE c.id FROM c', { maxItemCount: 1 })
        .fetchNext();
      if (resources.length > 0) {
        return { skipped: true, albums: 0, ratings: 0, elapsedMs: 0, rowsPerSecond: 0 };
      }
    }
    const albums = generateAlbums(albumCount, seed);
    const writtenAlbums = await bulkUpsert(containers.albums, albums, (a) => a.id, chunkSize, concurrency);
    const writtenRatings = await bulkUpsert(
      containers.ratings,
      generateRatings(albums, ratingCount, seed),
      (r) => r.albumId,
      chunkSize,
      concurrency,
    );
    const elapsedMs = performance.now() - started;
    return {
      skipped: false,
      albums: writtenAlbums,
      ratings: writtenRatings,
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? ((writtenAlbums + writtenRatings) * 1000) / elapsedMs : 0,
    };
  } finally {
    client.dispose();
  }
}

/** The app settings the seeder runs with: the environment's, and the local stand-ins' for anything unset. */
export function seedSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const ports = {
    azurite: parsePort(env.AZURITE_PORT, 10000),
    cosmos: parsePort(env.COSMOS_PORT, 8081),
    servicebus: parsePort(env.SERVICEBUS_PORT, 5672),
  };
  const localDir = resolve(__dirname, '..', env.LOCAL_DATA_DIR ?? '.local');
  return { ...localSettings(ports, localDir), ...env };
}

const USAGE = 'usage: npm run seed -- --albums N --ratings M [--seed S] [--if-empty]';

const HELP = `${USAGE}

Writes sample albums and ratings into the source containers (creating them if missing), by bulk
upserts: the local stand-ins by default (COSMOS_PORT, else 8081), or what the settings name (COSMOS,
COSMOS__accountEndpoint with a signed-in identity for Azure).

  --albums N     albums to write (ids al-000001 ...): genres, release years 1960-2025
  --ratings M    ratings to write over 2019-2025, album popularity following a power law;
                 needs at least one album
  --seed S       the random generator's seed, 0 to 2^32-1 (default ${DEFAULT_SEED}): the same seed and
                 counts write the same documents, so a run again overwrites rather than adds
  --if-empty     write nothing when the albums container already has an album
  -h, --help     this text

npm start seeds 200 albums and 20,000 ratings when the containers are empty. For example, a million
ratings (minutes, and the stand-in then holds them in memory):
  npm run seed -- --albums 2000 --ratings 1000000
`;

export class UsageError extends Error {}

/** The CLI arguments as seed options, or undefined for `--help`. Throws a UsageError for bad input. */
export function parseSeedArgs(argv: string[]): Omit<SeedOptions, 'config'> | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      albums: { type: 'string' },
      ratings: { type: 'string' },
      seed: { type: 'string' },
      'if-empty': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const count = (name: string, value: string | undefined, fallback?: number): number => {
    if (value === undefined) {
      if (fallback === undefined) throw new UsageError(`--${name} is required`);
      return fallback;
    }
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
      throw new UsageError(`--${name} must be a whole number >= 0 (got '${value}')`);
    }
    return n;
  };
  const albums = count('albums', values.albums);
  const ratings = count('ratings', values.ratings);
  if (ratings > 0 && albums === 0) throw new UsageError('--ratings needs --albums of at least 1');
  const seed = count('seed', values.seed, DEFAULT_SEED);
  if (seed > 0xffffffff) throw new UsageError('--seed must be below 2^32');
  return { albums, ratings, seed, ifEmpty: values['if-empty'] ?? false };
}

export async function main(argv: string[]): Promise<number> {
  let args: Omit<SeedOptions, 'config'> | undefined;
  try {
    args = parseSeedArgs(argv);
  } catch (error) {
    process.stderr.write(`seed: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (args === undefined) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const config = loadConfig(seedSettings());
    const { cosmos } = config;
    const where = `${cosmos.databaseName}/${cosmos.albumsContainer}, ${cosmos.ratingsContainer}`;
    const result = await seedSourceData({ ...args, config });
    if (result.skipped) {
      console.log(
        `seed: ${cosmos.databaseName}/${cosmos.albumsContainer} already has albums; nothing written`,
      );
    } else {
      console.log(
        `seed: wrote ${result.albums} albums and ${result.ratings} ratings to ${where} in ` +
          `${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round(result.rowsPerSecond)} rows/s)`,
      );
    }
    return 0;
  } catch (error) {
    process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
