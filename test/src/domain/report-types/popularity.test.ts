// The popularity row source over an in-memory source: ranking, rounding, filters, date bounds, progress,
// cancellation, and that it streams the ratings rather than holding them.
import { describe, expect, it } from 'vitest';
import {
  popularity,
  popularityParameters,
  type PopularityParameters,
} from '../../../../src/domain/report-types/popularity';
import type { Rating } from '../../../../src/domain/report-types/source-data';
import { album, MemorySourceData, rating, runRows } from '../../../fakes/memory-source-data';
import { rankFromDocuments } from '../../../support/independent-ranking';

const params = (input: Record<string, unknown> = {}): PopularityParameters =>
  popularityParameters.parse({ fromDate: '2024-01-01', toDate: '2024-12-31', ...input });

const at = (day: string, time = '12:00:00.000'): string => `${day}T${time}Z`;

/** `values` as ratings of `albumId`, one a day from 2024-03-01. */
const ratingsOf = (albumId: string, ...values: number[]): Rating[] =>
  values.map((value, i) => rating(albumId, value, at(`2024-03-${String(i + 1).padStart(2, '0')}`)));

describe('popularity rows', () => {
  it('ranks by rating count, then average, then album id, numbering ranks by position', async () => {
    const data = new MemorySourceData(
      [album('a'), album('b'), album('c'), album('d'), album('e'), album('f')],
      [
        ...ratingsOf('a', 4, 4, 4), // 3 ratings, 4.00
        ...ratingsOf('c', 5, 5, 4), // 3 ratings, 4.67: tie with b on both, c after b by id
        ...ratingsOf('b', 4, 5, 5), // 3 ratings, 4.67
        ...ratingsOf('d', 1, 1, 1, 1, 1), // most ratings wins despite the lowest average
        ...ratingsOf('f', 5), // 1 rating
        // e: no ratings in range, not listed
        rating('e', 5, at('2023-06-01')),
      ],
    );

    const { rows } = await runRows(popularity, params(), data);

    expect(rows.map((r) => [r.rank, r.albumId, r.ratingCount, r.averageRating])).toEqual([
      [1, 'd', 5, 1],
      [2, 'b', 3, 4.67],
      [3, 'c', 3, 4.67],
      [4, 'a', 3, 4],
      [5, 'f', 1, 5],
    ]);
    expect(rows[0]).toEqual({
      rank: 1,
      albumId: 'd',
      title: 'Title d',
      artist: 'Artist d',
      genre: 'Rock',
      releaseYear: 2001,
      ratingCount: 5,
      averageRating: 1,
    });
  });

  it('orders equal counts by the average as reported, two decimals, then by album id', async () => {
    // 200 ratings each: x averages 3.005 (3.01 when rounded half up), y 3.01, z 3.00.
    const x = [...Array<number>(199).fill(3), 4];
    const y = [...Array<number>(198).fill(3), 4, 4];
    const z = Array<number>(200).fill(3);
    const many = (albumId: string, values: number[]): Rating[] =>
      values.map((v, i) => rating(albumId, v, new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()));
    const data = new MemorySourceData(
      [album('x'), album('y'), album('z')],
      [...many('z', z), ...many('y', y), ...many('x', x)],
    );

    const { rows } = await runRows(popularity, params(), data);

    expect(rows.map((r) => [r.albumId, r.averageRating])).toEqual([
      ['x', 3.01],
      ['y', 3.01],
      ['z', 3],
    ]);
  });

  it('rounds averages to two decimals, half up', async () => {
    const data = new MemorySourceData(
      [album('thirds'), album('half'), album('eighths')],
      [
        ...ratingsOf('thirds', 4, 4, 3, 4, 4, 3), // 22 / 6 = 3.666...
        ...ratingsOf('half', 3, 4, 3, 4), // 3.5
        ...ratingsOf('eighths', 2, 2, 2, 2, 2, 2, 2, 3), // 17 / 8 = 2.125
      ],
    );

    const { rows } = await runRows(popularity, params(), data);

    expect(Object.fromEntries(rows.map((r) => [r.albumId, r.averageRating]))).toEqual({
      thirds: 3.67,
      half: 3.5,
      eighths: 2.13,
    });
  });

  it('lists at most `top` albums, in pages of at most 500 rows', async () => {
    const albums = Array.from({ length: 1234 }, (_, i) => album(`al-${String(i).padStart(4, '0')}`));
    const data = new MemorySourceData(
      albums,
      albums.map((a) => rating(a.id, 3, at('2024-05-05'))),
      { pageSize: 1000 },
    );

    const three = await runRows(popularity, params({ top: 3 }), data);
    expect(three.rows.map((r) => r.albumId)).toEqual(['al-0000', 'al-0001', 'al-0002']);

    const all = await runRows(popularity, params({ top: 10_000 }), data);
    expect(all.pages.map((p) => p.length)).toEqual([500, 500, 234]);
    expect(all.rows.map((r) => r.rank)).toEqual(albums.map((_, i) => i + 1));
  });

  it('ranks only albums of the genre asked for, asking the source for that genre', async () => {
    const data = new MemorySourceData(
      [album('j1', { genre: 'Jazz' }), album('r1', { genre: 'Rock' }), album('j2', { genre: 'Jazz' })],
      [...ratingsOf('r1', 5, 5, 5), ...ratingsOf('j2', 4, 4), ...ratingsOf('j1', 3)],
    );

    const { rows } = await runRows(popularity, params({ genre: 'Jazz' }), data);

    expect(rows.map((r) => [r.rank, r.albumId, r.genre])).toEqual([
      [1, 'j2', 'Jazz'],
      [2, 'j1', 'Jazz'],
    ]);
    expect(data.albumFilters).toEqual([{ genre: 'Jazz' }]);
  });

  it('counts both days of the range in full: the last millisecond of toDate in, the next day out', async () => {
    const data = new MemorySourceData(
      [album('a')],
      [
        rating('a', 1, '2023-12-31T23:59:59.999Z'), // before fromDate
        rating('a', 2, '2024-01-01T00:00:00.000Z'), // first instant: in
        rating('a', 3, '2024-01-31T23:59:59.999Z'), // last instant of toDate: in
        rating('a', 5, '2024-02-01T00:00:00.000Z'), // the day after: out
      ],
    );

    const { rows } = await runRows(
      popularity,
      params({ fromDate: '2024-01-01', toDate: '2024-01-31' }),
      data,
    );

    expect(rows).toMatchObject([{ albumId: 'a', ratingCount: 2, averageRating: 2.5 }]);
    expect(data.ratingFilters).toEqual([
      { from: '2024-01-01T00:00:00.000Z', toExclusive: '2024-02-01T00:00:00.000Z' },
    ]);
  });

  it('counts the far edges of the calendar: 0000-01-01 to 9999-12-31 takes every rating', async () => {
    const data = new MemorySourceData(
      [album('a')],
      [rating('a', 1, '0000-01-01T00:00:00.000Z'), rating('a', 5, '9999-12-31T23:59:59.999Z')],
    );

    const { rows } = await runRows(
      popularity,
      params({ fromDate: '0000-01-01', toDate: '9999-12-31' }),
      data,
    );

    expect(rows).toMatchObject([{ albumId: 'a', ratingCount: 2, averageRating: 3 }]);
  });

  it('ignores ratings of albums it does not know', async () => {
    const data = new MemorySourceData(
      [album('known')],
      [...ratingsOf('ghost', 5, 5, 5), ...ratingsOf('known', 2)],
    );

    const { rows } = await runRows(popularity, params(), data);

    expect(rows.map((r) => r.albumId)).toEqual(['known']);
  });

  it('yields nothing when no album has a rating in range', async () => {
    const data = new MemorySourceData([album('a')], [rating('a', 4, at('2020-01-01'))]);
    const run = await runRows(popularity, params(), data);
    expect(run.pages).toEqual([]);
    expect(run.progress).toEqual([[0, 0]]);
  });

  it('reports ratings scanned per page against the total counted once at the start', async () => {
    const data = new MemorySourceData(
      [album('a'), album('b')],
      [...ratingsOf('a', 1, 2, 3), ...ratingsOf('b', 4, 5), ...ratingsOf('ghost', 1)],
      { pageSize: 2 },
    );

    const { progress } = await runRows(popularity, params(), data);

    expect(progress).toEqual([
      [0, 6],
      [2, 6],
      [4, 6],
      [6, 6],
    ]);
    expect(data.countCalls).toHaveLength(1);
  });

  it('stops between pages once the signal aborts, reading no further page', async () => {
    const ratings = Array.from({ length: 50 }, (_, i) =>
      rating('a', 3, at('2024-04-04', `10:00:${String(i).padStart(2, '0')}.000`)),
    );
    const data = new MemorySourceData([album('a')], ratings, { pageSize: 10 });
    const controller = new AbortController();

    const run = runRows(popularity, params(), data, controller.signal, (done) => {
      if (done === 20) controller.abort();
    });

    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(data.pagesRead.ratings).toBe(2);
  });

  it('does not start when the signal is already aborted', async () => {
    const data = new MemorySourceData([album('a')], ratingsOf('a', 3));
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the user'));

    await expect(runRows(popularity, params(), data, controller.signal)).rejects.toThrow(
      'cancelled by the user',
    );
    expect(data.pagesRead).toEqual({ albums: 0, ratings: 0 });
  });

  it('streams 300,000 ratings page by page, keeping one tally per album', async () => {
    const albums = Array.from({ length: 50 }, (_, i) => album(`al-${String(i).padStart(2, '0')}`));
    const total = 300_000;
    const start = Date.UTC(2024, 0, 1);
    // Made afresh on every read and never stored: the row source sees them only as pages.
    function* stream(): Generator<Rating> {
      for (let i = 0; i < total; i += 1) {
        const albumIndex = i % 50 < 20 ? 0 : i % 50; // album 0 takes 20 of every 50
        yield {
          id: `r-${i}`,
          albumId: `al-${String(albumIndex).padStart(2, '0')}`,
          userId: 'u-000001',
          rating: 1 + (i % 5),
          ratedAt: new Date(start + i * 60_000).toISOString(),
        };
      }
    }
    const data = new MemorySourceData(albums, [], { pageSize: 1000, ratingStream: stream });

    const { rows, progress } = await runRows(popularity, params({ top: 5 }), data);

    expect(data.pagesRead.ratings).toBe(300);
    expect(progress.at(-1)).toEqual([total, total]);
    expect(rows[0]).toMatchObject({ rank: 1, albumId: 'al-00', ratingCount: 20 * 6000 });
    expect(rows.slice(1).map((r) => r.ratingCount)).toEqual([6000, 6000, 6000, 6000]);
    expect(rows.slice(1).map((r) => r.albumId)).toEqual(['al-24', 'al-29', 'al-34', 'al-39']);
  });

  it('agrees with the independent ranking used to check exported files', async () => {
    const genres = ['Rock', 'Jazz', 'Pop'];
    const albums = Array.from({ length: 40 }, (_, i) =>
      album(`al-${String(i).padStart(3, '0')}`, { genre: genres[i % 3], title: i === 7 ? '=cmd' : `T${i}` }),
    );
    let state = 12345;
    const next = (n: number): number => {
      state = (state * 48271) % 2147483647;
      return state % n;
    };
    const ratings = Array.from({ length: 3000 }, () =>
      rating(
        `al-${String(Math.min(next(40), next(40))).padStart(3, '0')}`,
        1 + next(5),
        new Date(Date.UTC(2023, 11, 25) + next(400 * 24) * 3_600_000).toISOString(),
      ),
    );
    ratings.push(rating('missing', 5, at('2024-02-02')));
    const data = new MemorySourceData(albums, ratings, { pageSize: 128 });

    for (const request of [
      { fromDate: '2024-01-01', toDate: '2024-06-30', top: 25 },
      { fromDate: '2024-01-01', toDate: '2024-12-31', genre: 'Jazz', top: 100 },
      { fromDate: '2024-12-31', toDate: '2024-12-31', top: 10 },
    ]) {
      const { rows } = await runRows(popularity, params(request), data);
      const asCells = rows.map((row) =>
        popularity.columns.map(({ key }) => {
          const value = row[key];
          return typeof value === 'string' && /^[=+\-@]/.test(value) ? `'${value}` : String(value);
        }),
      );
      expect(asCells.length).toBeGreaterThan(0);
      expect(rankFromDocuments(albums, ratings, request)).toEqual(asCells);
    }
  });
});
