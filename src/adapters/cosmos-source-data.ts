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

      async ratingTimeBounds(
        filter: RatingFilter,
        signal: AbortSignal,
      ): Promise<{ first: string; last: string } | null> {
        const { where, parameters } = ratingCondition(filter);
        const edge = async (order: 'ASC' | 'DESC'): Promise<string | undefined> => {
          const query = `SELECT TOP 1 VALUE c.ratedAt FROM c WHERE ${where} ORDER BY c.ratedAt ${order}`;
          for await (const page of pages<string>(
            ratings,
            { query, parameters },
            ratingPartition(filter),
            signal,
          )) {
            if (page[0] !== undefined) return page[0];
          }
          return undefined;
        };
        const first = await edge('ASC');
        const last = first === undefined ? undefined : await edge('DESC');
        return first === undefined || last === undefined ? null : { first, last };
      },
    },
    cosmosError,
  );
}
