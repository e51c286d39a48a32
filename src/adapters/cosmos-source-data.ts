// The `SourceData` port on Cosmos DB: the `albums` (partition key /id) and `ratings` (partition key
// /albumId) containers, read page by page with parameterised queries that select only what the report
// types need.
import type { Container, FeedOptions, SqlParameter, SqlQuerySpec } from '@azure/cosmos';
import { cosmosError, withTranslatedErrors } from './sdk-errors';
import type {
  Album,
  AlbumFilter,
  Rating,
  RatingFilter,
  RatingStats,
  SourceData,
} from '../domain/report-types/source-data';

export interface CosmosSourceDataOptions {
  /** Items per query page (`maxItemCount`). Default 1000. */
  pageSize?: number;
}

const DEFAULT_SOURCE_PAGE_SIZE = 1000;

const ALBUM_FIELDS = 'c.id, c.title, c.artist, c.genre, c.releaseYear';
const RATING_FIELDS = 'c.id, c.albumId, c.userId, c.rating, c.ratedAt';

/** The WHERE clause and parameters of a rating filter. */
function ratingCondition(filter: RatingFilter): { where: string; parameters: SqlParameter[] } {
  const parameters: SqlParameter[] = [
    { name: '@from', value: filter.from },
    { name: '@to', value: filter.toExclusive },
  ];
  let where = 'c.ratedAt >= @from AND c.ratedAt < @to';
  if (filter.albumId !== undefined) {
    where += ' AND c.albumId = @albumId';
    parameters.push({ name: '@albumId', value: filter.albumId });
  }
  return { where, parameters };
}

/** One album's ratings live in one partition: let Cosmos DB route the query there. */
function ratingPartition(filter: RatingFilter): Pick<FeedOptions, 'partitionKey'> {
  return filter.albumId === undefined ? {} : { partitionKey: filter.albumId };
}

/**
 * Runs `query` page by page. The signal goes to the SDK (an in-flight request is cancelled) and is
 * checked between pages; either way an abort surfaces as the signal's reason, whatever the SDK threw.
 */
async function* pages<T>(
  container: Container,
  query: SqlQuerySpec,
  options: FeedOptions,
  signal: AbortSignal,
): AsyncGenerator<T[]> {
  signal.throwIfAborted();
  const iterator = container.items.query<T>(query, { ...options, abortSignal: signal });
  while (iterator.hasMoreResults()) {
    signal.throwIfAborted();
    let resources: T[];
    try {
      ({ resources } = await iterator.fetchNext());
    } catch (error) {
      signal.throwIfAborted();
      throw error;
    }
    // A cross-partition query can answer a page with nothing in it and a continuation: skip it.
    if (resources.length > 0) yield resources;
  }
}

export function createCosmosSourceData(
  albums: Container,
  ratings: Container,
  options: CosmosSourceDataOptions = {},
): SourceData {
  const pageSize = options.pageSize ?? DEFAULT_SOURCE_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError('pageSize must be a positive integer');

  return withTranslatedErrors(
    {
      albums(filter: AlbumFilter, signal: AbortSignal): AsyncIterable<Album[]> {
        const query: SqlQuerySpec =
          filter.genre === undefined
            ? { query: `SELECT ${ALBUM_FIELDS} FROM c` }
            : {
                query: `SELECT ${ALBUM_FIELDS} FROM c WHERE c.genre = @genre`,
                parameters: [{ name: '@genre', value: filter.genre }],
              };
        return pages<Album>(albums, query, { maxItemCount: pageSize }, signal);
      },

      ratings(filter: RatingFilter, signal: AbortSignal): AsyncIterable<Rating[]> {
        const { where, parameters } = ratingCondition(filter);
        return pages<Rating>(
          ratings,
          { query: `SELECT ${RATING_FIELDS} FROM c WHERE ${where} ORDER BY c.ratedAt`, parameters },
          { maxItemCount: pageSize, ...ratingPartition(filter) },
          signal,
        );
      },

      async countRatings(filter: RatingFilter, signal: AbortSignal): Promise<number> {
        const { where, parameters } = ratingCondition(filter);
        let count = 0;
        // A cross-partition aggregate may come back as one partial count per page: add them up.
        for await (const page of pages<number>(
          ratings,
          { query: `SELECT VALUE COUNT(1) FROM c WHERE ${where}`, parameters },
          ratingPartition(filter),
          signal,
        )) {
          for (const partial of page) count += partial;
        }
        return count;
      },

      async ratingStats(filter: RatingFilter, signal: AbortSignal): Promise<RatingStats> {
        const { where, parameters } = ratingCondition(filter);
        // One aggregate query, no ORDER BY. Not `VALUE`: with several aggregates the SDK (4.x) runs a
        // cross-partition query through its GROUP BY pipeline with one empty group key (it tells the
        // service it handles `NonValueAggregate` and `MultipleAggregates`), merging each partition's
        // partial per alias; its own tests cover `SELECT COUNT(1), MAX(r.key) FROM r`. Partial rows may
        // still arrive one per page or partition, so they are combined here as well: counts added,
        // the least first and the greatest last kept, a partition with no match (no first/last) skipped.
        let count = 0;
        let first: string | null = null;
        let last: string | null = null;
        for await (const page of pages<{ n?: unknown; first?: unknown; last?: unknown }>(
          ratings,
          {
            query: `SELECT COUNT(1) AS n, MIN(c.ratedAt) AS first, MAX(c.ratedAt) AS last FROM c WHERE ${where}`,
            parameters,
          },
          ratingPartition(filter),
          signal,
        )) {
          for (const partial of page) {
            if (typeof partial.n === 'number') count += partial.n;
            if (typeof partial.first === 'string' && (first === null || partial.first < first))
              first = partial.first;
            if (typeof partial.last === 'string' && (last === null || partial.last > last))
              last = partial.last;
          }
        }
        return count === 0 ? { count, first: null, last: null } : { count, first, last };
      },
    },
    cosmosError,
  );
}
