// `ratings`: every rating given within a date range (a large raw export that exercises streaming).
import { z } from 'zod';
import { chunkCountFor, type ChunkSlice } from '../chunks';
import type { Rating, RatingFilter } from './source-data';
import {
  dateRangeParameters,
  dayAfter,
  END_OF_CALENDAR,
  type ChunkPlan,
  type ChunkPlanContext,
  type ReportTypeDefinition,
  type Row,
  type RowSourceContext,
} from './types';

export const ratingsParameters = dateRangeParameters({
  albumId: z.string().min(1).max(100).optional().describe('Only ratings of this album.'),
});

export type RatingsParameters = z.output<typeof ratingsParameters>;

/**
 * Most ratings held back at once to order a run of equal timestamps by id. A longer run (only possible
 * with bulk-imported data) is written as it comes, still oldest first.
 */
export const MAX_HELD_TIES = 10_000;

const byTimeThenId = (a: Rating, b: Rating): number =>
  a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * Pages of ratings in (ratedAt, id) order from pages in ratedAt order. Equal timestamps arrive next to
 * each other but may straddle a page boundary, so the run at the end of each page waits for the next
 * page before it is sorted and released.
 */
async function* orderTies(pages: AsyncIterable<Rating[]>): AsyncGenerator<Rating[]> {
  let held: Rating[] = [];
  for await (const page of pages) {
    const batch = held.concat(page);
    const last = batch[batch.length - 1];
    if (!last) continue;
    let cut = batch.length;
    while (cut > 0 && batch[cut - 1]?.ratedAt === last.ratedAt) cut -= 1;
    if (batch.length - cut > MAX_HELD_TIES) cut = batch.length;
    held = batch.slice(cut);
    if (cut > 0) yield batch.slice(0, cut).sort(byTimeThenId);
  }
  if (held.length > 0) yield held.sort(byTimeThenId);
}

/** The ratings of `filter` as output rows, oldest first; reports progress against `total` when given. */
async function* ratingRows(
  parameters: RatingsParameters,
  filter: RatingFilter,
  context: RowSourceContext,
  countTotal: boolean,
): AsyncGenerator<readonly Row[]> {
  const { data, signal } = context;
  // Memory is bounded by the album titles (just one with `albumId`) plus one page of ratings.
  const titles = new Map<string, string>();
  for await (const page of data.albums({}, signal)) {
    for (const album of page) {
      if (parameters.albumId === undefined || album.id === parameters.albumId) {
        titles.set(album.id, album.title);
      }
    }
    signal.throwIfAborted();
  }

  const total = countTotal ? await data.countRatings(filter, signal) : null;
  // Progress counts the ratings read, not just those passed on: a page's last timestamp waits for the
  // next page (see orderTies), and counting only what was passed on would run one short of every page.
  let read = 0;
  async function* counted(): AsyncGenerator<Rating[]> {
    for await (const page of data.ratings(filter, signal)) {
      read += page.length;
      yield page;
    }
  }
  context.progress(read, total);
  for await (const page of orderTies(counted())) {
    signal.throwIfAborted();
    yield page.map((rating): Row => ({
      albumId: rating.albumId,
      title: titles.get(rating.albumId) ?? '',
      userId: rating.userId,
      rating: rating.rating,
      ratedAt: rating.ratedAt,
    }));
    context.progress(read, total);
  }
}

function rangeFilter(parameters: RatingsParameters): RatingFilter {
  return {
    from: `${parameters.fromDate}T00:00:00.000Z`,
    toExclusive: dayAfter(parameters.toDate),
    ...(parameters.albumId === undefined ? {} : { albumId: parameters.albumId }),
  };
}

const sliceSchema = z.object({
  from: z.iso.datetime(),
  toExclusive: z.union([z.iso.datetime(), z.literal(END_OF_CALENDAR)]),
});

/**
 * Time windows `[from, toExclusive)` of equal length between the first and the last rating in range, as
 * many as the rating count asks for (one aggregate read gives the count and both timestamps, however
 * large the range). The first window starts where the range starts and the last ends where it ends, so
 * together they cover the range; windows meet at an instant, so equal timestamps never straddle two
 * chunks.
 */
async function planWindows(parameters: RatingsParameters, context: ChunkPlanContext): Promise<ChunkPlan> {
  const filter = rangeFilter(parameters);
  const whole = [{ from: filter.from, toExclusive: filter.toExclusive }];
  const { count: total, first, last } = await context.data.ratingStats(filter, context.signal);
  const count = chunkCountFor(total, context.targetRows, context.maxChunks);
  if (count <= 1 || first === null || last === null) return { slices: whole, estimatedRows: total };
  const firstMs = Date.parse(first);
  const spanMs = Date.parse(last) + 1 - firstMs;
  const windows = Math.min(count, spanMs);
  const slices: ChunkSlice[] = [];
  let from = filter.from;
  for (let i = 1; i <= windows; i++) {
    const toExclusive =
      i === windows
        ? filter.toExclusive
        : new Date(firstMs + Math.floor((spanMs * i) / windows)).toISOString();
    if (toExclusive > from) slices.push({ from, toExclusive });
    from = toExclusive;
  }
  return { slices, estimatedRows: total };
}

export const ratings: ReportTypeDefinition<RatingsParameters> = {
  name: 'ratings',
  title: 'All ratings',
  description: 'Every rating given within the date range, oldest first.',
  parameters: ratingsParameters,
  formats: ['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet'],
  columns: [
    { key: 'albumId', header: 'Album ID' },
    { key: 'title', header: 'Title' },
    { key: 'userId', header: 'User ID' },
    { key: 'rating', header: 'Rating', type: 'integer' },
    { key: 'ratedAt', header: 'Rated at', type: 'date' },
  ],
  async emptyWarning(parameters, { data, signal }) {
    const range = `from ${parameters.fromDate} to ${parameters.toDate} (UTC)`;
    if (parameters.albumId === undefined) return `No ratings matched: none was given ${range}.`;
    for await (const page of data.albums({}, signal)) {
      if (page.some((album) => album.id === parameters.albumId))
        return `No ratings matched: album '${parameters.albumId}' was not rated ${range}.`;
    }
    return `No ratings matched: there is no album '${parameters.albumId}'.`;
  },

  rows: (parameters, context) => ratingRows(parameters, rangeFilter(parameters), context, true),

  chunking: {
    plan: planWindows,
    rows(parameters, slice, context) {
      const window = sliceSchema.parse(slice);
      return ratingRows(parameters, { ...rangeFilter(parameters), ...window }, context, false);
    },
  },
};
