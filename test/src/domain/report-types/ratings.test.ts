// The ratings row source over an in-memory source: order (ties by id, also across pages), titles,
// filters, date bounds, progress and cancellation.
import { describe, expect, it } from 'vitest';
import {
  MAX_HELD_TIES,
  ratings,
  ratingsParameters,
  type RatingsParameters,
} from '../../../../src/domain/report-types/ratings';
import { album, MemorySourceData, rating, runRows } from '../../../fakes/memory-source-data';

const params = (input: Record<string, unknown> = {}): RatingsParameters =>
  ratingsParameters.parse({ fromDate: '2024-01-01', toDate: '2024-12-31', ...input });

describe('ratings rows', () => {
  it('writes every rating in range oldest first, with its album title', async () => {
    const data = new MemorySourceData(
      [album('a', { title: 'Blue Train' }), album('b', { title: 'Kind of Blue' })],
      [
        rating('b', 4, '2024-03-02T08:00:00.000Z', { id: 'r2', userId: 'u-000002' }),
        rating('a', 5, '2024-03-01T08:00:00.000Z', { id: 'r1', userId: 'u-000001' }),
        rating('a', 1, '2023-03-01T08:00:00.000Z', { id: 'r0' }),
      ],
    );

    const { rows } = await runRows(ratings, params(), data);

    expect(rows).toEqual([
      {
        albumId: 'a',
        title: 'Blue Train',
        userId: 'u-000001',
        rating: 5,
        ratedAt: '2024-03-01T08:00:00.000Z',
      },
      {
        albumId: 'b',
        title: 'Kind of Blue',
        userId: 'u-000002',
        rating: 4,
        ratedAt: '2024-03-02T08:00:00.000Z',
      },
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual(ratings.columns.map((c) => c.key));
  });

  it('leaves the title empty for a rating of an unknown album', async () => {
    const data = new MemorySourceData([], [rating('gone', 3, '2024-05-05T05:05:05.005Z')]);
    const { rows } = await runRows(ratings, params(), data);
    expect(rows).toMatchObject([{ albumId: 'gone', title: '' }]);
  });

  it('orders ratings with the same timestamp by id, also when they straddle pages', async () => {
    const same = '2024-06-01T12:00:00.000Z';
    const later = '2024-06-01T13:00:00.000Z';
    // The source returns ties in insertion order (as Cosmos DB returns them in an order of its own).
    // Each rating's user is named after its id, to see the order in the output.
    const r = (id: string, ratedAt: string) => rating('a', 1, ratedAt, { id, userId: `u-${id}` });
    const data = new MemorySourceData(
      [album('a')],
      [
        r('k', '2024-06-01T11:00:00.000Z'),
        r('e', same),
        r('c', same),
        r('d', same),
        r('a', same),
        r('b', same),
        r('z', later),
        r('y', later),
      ],
      { pageSize: 3 },
    );

    const { rows } = await runRows(ratings, params(), data);

    expect(rows.map((row) => row.userId)).toEqual(['u-k', 'u-a', 'u-b', 'u-c', 'u-d', 'u-e', 'u-y', 'u-z']);
  });

  it('writes a run of equal timestamps longer than it holds back, still oldest first', async () => {
    const same = '2024-07-07T07:07:07.007Z';
    const many = Array.from({ length: MAX_HELD_TIES + 5 }, (_, i) =>
      rating('a', 2, same, { id: `t-${String(MAX_HELD_TIES + 5 - i).padStart(6, '0')}` }),
    );
    const data = new MemorySourceData(
      [album('a')],
      [rating('a', 1, '2024-07-07T07:00:00.000Z'), ...many, rating('a', 5, '2024-07-08T00:00:00.000Z')],
      { pageSize: 1000 },
    );

    const { rows } = await runRows(ratings, params(), data);

    expect(rows).toHaveLength(MAX_HELD_TIES + 7);
    expect(rows.map((r) => r.ratedAt)).toEqual([...rows.map((r) => r.ratedAt as string)].sort());
    expect(rows.at(-1)).toMatchObject({ rating: 5 });
  });

  it('only has the ratings of `albumId` when given, asking the source for just those', async () => {
    const data = new MemorySourceData(
      [album('a', { title: 'A' }), album('b', { title: 'B' })],
      [rating('a', 1, '2024-02-02T00:00:00.000Z'), rating('b', 2, '2024-02-03T00:00:00.000Z')],
    );

    const { rows } = await runRows(ratings, params({ albumId: 'b' }), data);

    expect(rows).toEqual([
      { albumId: 'b', title: 'B', userId: 'u-000001', rating: 2, ratedAt: '2024-02-03T00:00:00.000Z' },
    ]);
    expect(data.ratingFilters).toEqual([
      { from: '2024-01-01T00:00:00.000Z', toExclusive: '2025-01-01T00:00:00.000Z', albumId: 'b' },
    ]);
    expect(data.countCalls).toEqual(data.ratingFilters);
  });

  it('includes the first and the last millisecond of the range and nothing outside it', async () => {
    const data = new MemorySourceData(
      [album('a')],
      [
        rating('a', 1, '2024-01-09T23:59:59.999Z'),
        rating('a', 2, '2024-01-10T00:00:00.000Z'),
        rating('a', 3, '2024-01-20T23:59:59.999Z'),
        rating('a', 4, '2024-01-21T00:00:00.000Z'),
      ],
    );

    const { rows } = await runRows(ratings, params({ fromDate: '2024-01-10', toDate: '2024-01-20' }), data);

    expect(rows.map((r) => r.rating)).toEqual([2, 3]);
  });

  it('covers the far edges of the calendar: 0000-01-01 to 9999-12-31 returns every rating', async () => {
    const data = new MemorySourceData(
      [album('a')],
      [
        rating('a', 1, '0000-01-01T00:00:00.000Z'),
        rating('a', 2, '2024-06-01T12:00:00.000Z'),
        rating('a', 3, '9999-12-31T23:59:59.999Z'),
      ],
    );

    const all = await runRows(ratings, params({ fromDate: '0000-01-01', toDate: '9999-12-31' }), data);
    const lastDay = await runRows(ratings, params({ fromDate: '9999-12-31', toDate: '9999-12-31' }), data);

    expect(all.rows.map((r) => r.rating)).toEqual([1, 2, 3]);
    expect(lastDay.rows.map((r) => r.rating)).toEqual([3]);
  });

  it('plans windows up to 9999-12-31 that its chunks accept and read in full', async () => {
    const data = new MemorySourceData(
      [album('a')],
      ['2020-01-01', '2021-01-01', '2022-01-01', '9999-12-31'].map((day, i) =>
        rating('a', i + 1, `${day}T23:59:59.999Z`),
      ),
    );
    const parameters = params({ fromDate: '2020-01-01', toDate: '9999-12-31' });
    const signal = new AbortController().signal;
    const plan = await ratings.chunking!.plan(parameters, { data, signal, targetRows: 1, maxChunks: 4 });

    const rows = [];
    for (const slice of plan.slices) {
      for await (const page of ratings.chunking!.rows(parameters, slice, {
        data,
        signal,
        progress: () => undefined,
      })) {
        rows.push(...page);
      }
    }

    expect(plan.slices.length).toBeGreaterThan(1);
    expect(rows.map((r) => r.rating)).toEqual([1, 2, 3, 4]);
  });

  it('reports the ratings read per page against the total counted once, never one short', async () => {
    const data = new MemorySourceData(
      [album('a')],
      Array.from({ length: 5 }, (_, i) => rating('a', 3, `2024-08-0${i + 1}T00:00:00.000Z`)),
      { pageSize: 2 },
    );

    const { progress, pages } = await runRows(ratings, params(), data);

    // Each page's last timestamp waits for the next page (it might continue there), so pages shift by one.
    expect(pages.map((p) => p.length)).toEqual([1, 2, 1, 1]);
    // Progress counts what was read: 2, 4, 5, not the 1, 3, 4 passed on while a row waits.
    expect(progress).toEqual([
      [0, 5],
      [2, 5],
      [4, 5],
      [5, 5],
      [5, 5],
    ]);
    expect(data.countCalls).toHaveLength(1);
  });

  it('stops between pages once the signal aborts, reading no further page', async () => {
    const data = new MemorySourceData(
      [album('a')],
      Array.from({ length: 30 }, (_, i) =>
        rating('a', 3, new Date(Date.UTC(2024, 1, 1, 0, i)).toISOString()),
      ),
      { pageSize: 5 },
    );
    const controller = new AbortController();

    const run = runRows(ratings, params(), data, controller.signal, (done) => {
      if (done > 0) controller.abort();
    });

    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(data.pagesRead.ratings).toBe(1);
  });
});
