// The source data the sample report types read, as a port: the Cosmos adapter implements it in
// src/adapters, tests can implement it in memory. Knows nothing of Azure SDKs.

/** The genres an album can have, as stored. */
export const GENRES = [
  'Rock',
  'Pop',
  'Jazz',
  'Hip-Hop',
  'Electronic',
  'Classical',
  'Folk',
  'Blues',
  'Country',
  'Metal',
] as const;

export type Genre = (typeof GENRES)[number];

/** A document of the `albums` container (partition key /id). */
export interface Album {
  id: string;
  title: string;
  artist: string;
  genre: string;
  releaseYear: number;
}

/** A document of the `ratings` container (partition key /albumId). */
export interface Rating {
  id: string;
  albumId: string;
  userId: string;
  /** 1 to 5. */
  rating: number;
  /** ISO 8601 UTC timestamp, e.g. `2024-03-01T12:34:56.000Z`. */
  ratedAt: string;
}

export interface AlbumFilter {
  genre?: string;
}

/** Ratings with `from <= ratedAt < toExclusive` (ISO timestamps compare as strings). */
export interface RatingFilter {
  from: string;
  toExclusive: string;
  albumId?: string;
}

/**
 * Paged reads of the source containers. Every method reads page by page (each yielded array is one
 * page), filters in the query with parameters, and stops with an AbortError as soon as `signal` aborts.
 */
export interface SourceData {
  albums(filter: AlbumFilter, signal: AbortSignal): AsyncIterable<Album[]>;
  /** Oldest first. */
  ratings(filter: RatingFilter, signal: AbortSignal): AsyncIterable<Rating[]>;
  countRatings(filter: RatingFilter, signal: AbortSignal): Promise<number>;
  /**
   * How many ratings the filter holds and the `ratedAt` of the oldest and the newest of them (null when
   * there is none), read together: one pass over the ratings rather than a count and two ordered reads.
   */
  ratingStats(filter: RatingFilter, signal: AbortSignal): Promise<RatingStats>;
}

/** What `SourceData.ratingStats` answers. */
export interface RatingStats {
  count: number;
  /** Null when `count` is 0. */
  first: string | null;
  /** Null when `count` is 0. */
  last: string | null;
}
