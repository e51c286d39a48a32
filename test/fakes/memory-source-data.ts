// An in-memory SourceData for unit tests: the same filters and ordering as the Cosmos adapter, read page
// by page out of arrays, with counters so tests can see how it was read.
import type {
  Album,
  AlbumFilter,
  Rating,
  RatingFilter,
  RatingStats,
  SourceData,
} from '../../src/domain/report-types/source-data';
import type { ReportTypeDefinition, Row, RowSourceContext } from '../../src/domain/report-types/types';

export interface MemorySourceDataOptions {
  /** Items per page. Default 100. */
  pageSize?: number;
  /**
   * The ratings, if not an array: called for every read, so a test can stream more ratings than it
   * wants to hold. Must yield ratings oldest first (ratedAt ascending).
   */
  ratingStream?: () => Iterable<Rating>;
}

const matches = (rating: Rating, filter: RatingFilter): boolean =>
  rating.ratedAt >= filter.from &&
  rating.ratedAt < filter.toExclusive &&
  (filter.albumId === undefined || rating.albumId === filter.albumId);

export class MemorySourceData implements SourceData {
  readonly albumList: Album[];
  readonly ratingList: Rating[];
  readonly pageSize: number;
  readonly #ratingStream: (() => Iterable<Rating>) | undefined;
  /** Pages handed out, per method. */
  readonly pagesRead = { albums: 0, ratings: 0 };
  readonly countCalls: RatingFilter[] = [];
  readonly ratingFilters: RatingFilter[] = [];
  readonly albumFilters: AlbumFilter[] = [];

  constructor(albums: Album[], ratings: Rating[] = [], options: MemorySourceDataOptions = {}) {
    this.albumList = albums;
    // Oldest first; equal timestamps keep their insertion order (like Cosmos DB, which breaks ties by
    // its own resource id, not by `id`).
    this.ratingList = [...ratings].sort((a, b) =>
      a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : 0,
    );
    this.pageSize = options.pageSize ?? 100;
    this.#ratingStream = options.ratingStream;
  }

  async *albums(filter: AlbumFilter, signal: AbortSignal): AsyncGenerator<Album[]> {
    this.albumFilters.push(filter);
    const selected = this.albumList.filter((a) => filter.genre === undefined || a.genre === filter.genre);
    yield* this.#paged(selected, signal, 'albums');
  }

  async *ratings(filter: RatingFilter, signal: AbortSignal): AsyncGenerator<Rating[]> {
    this.ratingFilters.push(filter);
    yield* this.#paged(this.#filtered(filter), signal, 'ratings');
  }

  async countRatings(filter: RatingFilter, signal: AbortSignal): Promise<number> {
    signal.throwIfAborted();
    this.countCalls.push(filter);
    let count = 0;
    for (const _ of this.#filtered(filter)) count += 1;
    return count;
  }

  async ratingStats(filter: RatingFilter, signal: AbortSignal): Promise<RatingStats> {
    signal.throwIfAborted();
    let count = 0;
    let first: string | null = null;
    let last: string | null = null;
    for (const rating of this.#filtered(filter)) {
      count += 1;
      if (first === null || rating.ratedAt < first) first = rating.ratedAt;
      if (last === null || rating.ratedAt > last) last = rating.ratedAt;
    }
    return { count, first, last };
  }

  *#filtered(filter: RatingFilter): Generator<Rating> {
    for (const rating of this.#ratingStream ? this.#ratingStream() : this.ratingList) {
      if (matches(rating, filter)) yield rating;
    }
  }

  async *#paged<T>(items: Iterable<T>, signal: AbortSignal, kind: 'albums' | 'ratings'): AsyncGenerator<T[]> {
    let page: T[] = [];
    for (const item of items) {
      page.push(item);
      if (page.length === this.pageSize) {
        signal.throwIfAborted();
        this.pagesRead[kind] += 1;
        yield page;
        page = [];
      }
    }
    signal.throwIfAborted();
    if (page.length > 0) {
      this.pagesRead[kind] += 1;
      yield page;
    }
  }
}

let ratingSequence = 0;

/** An album with defaults for the fields a test does not care about. */
export function album(id: string, overrides: Partial<Album> = {}): Album {
  return { id, title: `Title ${id}`, artist: `Artist ${id}`, genre: 'Rock', releaseYear: 2001, ...overrides };
}

/** A rating of `albumId`; ids are unique and increasing unless given. */
export function rating(
  albumId: string,
  value: number,
  ratedAt: string,
  overrides: Partial<Rating> = {},
): Rating {
  ratingSequence += 1;
  return {
    id: `r-${String(ratingSequence).padStart(8, '0')}`,
    albumId,
    userId: 'u-000001',
    rating: value,
    ratedAt,
    ...overrides,
  };
}

export interface RowRun {
  pages: (readonly Row[])[];
  rows: Row[];
  progress: [number, number | null][];
}

/** Drains a report type's row source over `data`, recording pages and progress calls. */
export async function runRows<P>(
  type: ReportTypeDefinition<P>,
  parameters: P,
  data: SourceData,
  signal: AbortSignal = new AbortController().signal,
  onProgress: (done: number, total: number | null) => void = () => undefined,
): Promise<RowRun> {
  const run: RowRun = { pages: [], rows: [], progress: [] };
  const context: RowSourceContext = {
    data,
    signal,
    progress: (done, total) => {
      run.progress.push([done, total]);
      onProgress(done, total);
    },
  };
  for await (const page of type.rows(parameters, context)) {
    run.pages.push(page);
    run.rows.push(...page);
  }
  return run;
}
