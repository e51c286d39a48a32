// `popularity`: albums ranked by the ratings they received within a date range.
import { z } from 'zod';
import { GENRES, type Album } from './source-data';
import { dateRangeParameters, dayAfter, type ReportTypeDefinition, type Row } from './types';

/** A genre as stored for any casing of its name (`jazz` -> `Jazz`); other values as they are. */
function genreNamed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return GENRES.find((genre) => genre.toLowerCase() === value.toLowerCase()) ?? value;
}

export const popularityParameters = dateRangeParameters({
  genre: z
    .preprocess(genreNamed, z.enum(GENRES))
    .optional()
    .describe('Only albums of this genre (in any case).'),
  top: z.number().int().min(1).max(10_000).default(100).describe('How many albums to rank.'),
});

export type PopularityParameters = z.output<typeof popularityParameters>;

/** Output rows per yielded page. */
const OUTPUT_PAGE_SIZE = 500;

/** What is kept per album while the ratings stream by: two numbers, whatever the rating count. */
interface Tally {
  album: Album;
  count: number;
  sum: number;
}

/** The average in hundredths, rounded half up: `Math.round(avg * 100)` without the float error of `avg * 100`. */
const averageHundredths = (tally: Tally): number => Math.round((tally.sum * 100) / tally.count);

/**
 * Most ratings first; equal counts by the average as reported (2 decimals), higher first; then by album
 * id, so the order is total and the file can be checked against its own columns.
 */
function byPopularity(a: Tally, b: Tally): number {
  return (
    b.count - a.count ||
    averageHundredths(b) - averageHundredths(a) ||
    (a.album.id < b.album.id ? -1 : a.album.id > b.album.id ? 1 : 0)
  );
}

export const popularity: ReportTypeDefinition<PopularityParameters> = {
  name: 'popularity',
  title: 'Album popularity',
  description:
    'Albums ranked by the number of ratings they received within the date range, with their average rating.',
  parameters: popularityParameters,
  formats: ['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet'],
  columns: [
    { key: 'rank', header: 'Rank', type: 'integer' },
    { key: 'albumId', header: 'Album ID' },
    { key: 'title', header: 'Title' },
    { key: 'artist', header: 'Artist' },
    { key: 'genre', header: 'Genre' },
    { key: 'releaseYear', header: 'Release year', type: 'integer' },
    { key: 'ratingCount', header: 'Rating count', type: 'integer' },
    { key: 'averageRating', header: 'Average rating', type: 'number' },
  ],
  emptyWarning: (parameters) =>
    Promise.resolve(
      `No albums matched: none${parameters.genre === undefined ? '' : ` of genre ${parameters.genre}`} was rated from ${parameters.fromDate} to ${parameters.toDate} (UTC).`,
    ),

  // Memory is bounded by the albums (one tally each), never by the ratings, which are only streamed.
  async *rows(parameters, context) {
    const { data, signal } = context;
    const filter = { from: `${parameters.fromDate}T00:00:00.000Z`, toExclusive: dayAfter(parameters.toDate) };
    const total = await data.countRatings(filter, signal);

    const tallies = new Map<string, Tally>();
    const albumFilter = parameters.genre === undefined ? {} : { genre: parameters.genre };
    for await (const page of data.albums(albumFilter, signal)) {
      for (const album of page) tallies.set(album.id, { album, count: 0, sum: 0 });
      signal.throwIfAborted();
    }

    let scanned = 0;
    context.progress(scanned, total);
    for await (const page of data.ratings(filter, signal)) {
      for (const rating of page) {
        // Ratings of albums not in the map (another genre, or an album that no longer exists) do not count.
        const tally = tallies.get(rating.albumId);
        if (tally) {
          tally.count += 1;
          tally.sum += rating.rating;
        }
      }
      scanned += page.length;
      context.progress(scanned, total);
      signal.throwIfAborted();
    }

    const ranked = [...tallies.values()]
      .filter((tally) => tally.count > 0)
      .sort(byPopularity)
      .slice(0, parameters.top);
    for (let start = 0; start < ranked.length; start += OUTPUT_PAGE_SIZE) {
      signal.throwIfAborted();
      yield ranked.slice(start, start + OUTPUT_PAGE_SIZE).map((tally, i): Row => ({
        rank: start + i + 1,
        albumId: tally.album.id,
        title: tally.album.title,
        artist: tally.album.artist,
        genre: tally.album.genre,
        releaseYear: tally.album.releaseYear,
        ratingCount: tally.count,
        averageRating: averageHundredths(tally) / 100,
      }));
    }
  },
};
