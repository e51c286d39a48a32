// The popularity ranking worked out a second way, to check an exported file against: every raw document
// of both source containers is read with a plain `SELECT * FROM c`, and the ranking, rounding and cell
// text are computed here without the report type's code. Returns the CSV data rows (no header) as the
// cells a CSV parser gives back.
import type { CosmosClient } from '@azure/cosmos';

export interface RankingRequest {
  fromDate: string;
  toDate: string;
  genre?: string;
  /** Default 100, like the report type. */
  top?: number;
}

export interface RankingTarget {
  cosmos: { databaseName: string; albumsContainer: string; ratingsContainer: string };
}

/** The CSV header of the popularity report, spelled out. */
export const POPULARITY_HEADER = [
  'Rank',
  'Album ID',
  'Title',
  'Artist',
  'Genre',
  'Release year',
  'Rating count',
  'Average rating',
];

type RawDocument = Record<string, unknown>;

/** A string cell as the CSV writer escapes it against formula injection. */
function textCell(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text) ? `'${text}` : text;
}

/** `sum / count` rounded half up to hundredths, with integer arithmetic only. */
const roundedHundredths = (sum: number, count: number): number =>
  Math.floor((200 * sum + count) / (2 * count));

/** Hundredths printed the way a JavaScript number prints: 367 -> 3.67, 350 -> 3.5, 400 -> 4. */
function averageText(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  const cents = hundredths % 100;
  if (cents === 0) return `${whole}`;
  if (cents % 10 === 0) return `${whole}.${cents / 10}`;
  return `${whole}.${String(cents).padStart(2, '0')}`;
}

/** The expected data rows from raw album and rating documents. */
export function rankFromDocuments(
  albumDocuments: readonly object[],
  ratingDocuments: readonly object[],
  request: RankingRequest,
): string[][] {
  const albums = albumDocuments as readonly RawDocument[];
  const ratings = ratingDocuments as readonly RawDocument[];
  const top = request.top ?? 100;
  const albumById = new Map<string, RawDocument>();
  for (const album of albums) {
    if (request.genre === undefined || album.genre === request.genre) albumById.set(String(album.id), album);
  }
  const totals = new Map<string, { count: number; sum: number; hundredths: number }>();
  for (const rating of ratings) {
    // The day of a UTC timestamp is its first ten characters; both ends of the range are inclusive days.
    const day = String(rating.ratedAt).slice(0, 10);
    if (day < request.fromDate || day > request.toDate) continue;
    const albumId = String(rating.albumId);
    if (!albumById.has(albumId)) continue;
    const total = totals.get(albumId) ?? { count: 0, sum: 0, hundredths: 0 };
    total.count += 1;
    total.sum += Number(rating.rating);
    totals.set(albumId, total);
  }
  for (const total of totals.values()) {
    total.hundredths = roundedHundredths(total.sum, total.count);
  }
  const ranked = [...totals.entries()].sort(([idA, a], [idB, b]) => {
    if (a.count !== b.count) return b.count - a.count;
    if (a.hundredths !== b.hundredths) return b.hundredths - a.hundredths;
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  });
  return ranked.slice(0, top).map(([albumId, total], index) => {
    const album = albumById.get(albumId) ?? {};
    return [
      String(index + 1),
      textCell(albumId),
      textCell(album.title),
      textCell(album.artist),
      textCell(album.genre),
      String(album.releaseYear),
      String(total.count),
      averageText(total.hundredths),
    ];
  });
}

/** Reads both containers in full and ranks them. For test data sizes (it holds every document). */
export async function independentRanking(
  client: CosmosClient,
  config: RankingTarget,
  request: RankingRequest,
): Promise<string[][]> {
  const database = client.database(config.cosmos.databaseName);
  // Fair-sized pages: the local Cosmos server rescans the container for every page, and its cost per
  // page also grows with the square of the page size.
  const readAll = async (container: string): Promise<RawDocument[]> =>
    (
      await database
        .container(container)
        .items.query<RawDocument>('SELECT * FROM c', { maxItemCount: 5000 })
        .fetchAll()
    ).resources;
  const [albums, ratings] = await Promise.all([
    readAll(config.cosmos.albumsContainer),
    readAll(config.cosmos.ratingsContainer),
  ]);
  return rankFromDocuments(albums, ratings, request);
}
