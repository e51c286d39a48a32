// `ratings`: every rating given within a date range (a large raw export that exercises streaming).
import { z } from 'zod';
import type { Rating } from './source-data';
import { dateRangeParameters, dayAfter, type ReportTypeDefinition, type Row } from './types';

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

export const ratings: ReportTypeDefinition<RatingsParameters> = {
  name: 'ratings',
  title: 'All ratings',
  description: 'Every rating given within the date range, oldest first.',
  parameters: ratingsParameters,
  formats: ['csv', 'json', 'ndjson', 'xlsx', 'pdf'],
  columns: [
    { key: 'albumId', header: 'Album ID' },
    { key: 'title', header: 'Title' },
    { key: 'userId', header: 'User ID' },
    { key: 'rating', header: 'Rating' },
    { key: 'ratedAt', header: 'Rated at' },
  ],

  // Memory is bounded by the album titles (just one with `albumId`) plus one page of ratings.
  async *rows(parameters, context) {
    const { data, signal } = context;
    const filter = {
      from: `${parameters.fromDate}T00:00:00.000Z`,
      toExclusive: dayAfter(parameters.toDate),
      ...(parameters.albumId === undefined ? {} : { albumId: parameters.albumId }),
    };

    const titles = new Map<string, string>();
    for await (const page of data.albums({}, signal)) {
      for (const album of page) {
        if (parameters.albumId === undefined || album.id === parameters.albumId) {
          titles.set(album.id, album.title);
        }
      }
      signal.throwIfAborted();
    }

    const total = await data.countRatings(filter, signal);
    let written = 0;
    context.progress(written, total);
    for await (const page of orderTies(data.ratings(filter, signal))) {
      signal.throwIfAborted();
      yield page.map((rating): Row => ({
        albumId: rating.albumId,
        title: titles.get(rating.albumId) ?? '',
        userId: rating.userId,
        rating: rating.rating,
        ratedAt: rating.ratedAt,
      }));
      written += page.length;
      context.progress(written, total);
    }
  },
};
