// A deterministic, synthetic row source shaped like the `ratings` report's rows (albumId, title, userId,
// rating, ratedAt), delivered in pages like the Cosmos source. Every export variant of the benchmark reads
// the same rows from here, so their numbers differ only by what they do with them.
import type { Row } from '../src/domain/report-types/types';

/** Rows per yielded page (a Cosmos query page of the ratings container is of this order). */
export const PAGE_SIZE = 1000;

const ALBUMS = 2000;
const USERS = 500_000;
const FIRST_RATED_AT = Date.parse('2020-01-01T00:00:00.000Z');

/**
 * A small seeded PRNG (32-bit state, uniform in [0, 1)); the same seed gives the same rows on every run.
 * A class rather than a closure over its state: V8 optimises a closure for the one instance it has seen,
 * and a second instance (every chunk of a chunked run has its own source) throws that code away, so a
 * closure would cost a chunked run more per row than a single pass for reasons of the source alone.
 */
class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

const WORDS = [
  'Midnight',
  'Echoes',
  'Blue',
  'River',
  'Electric',
  'Silence',
  'Golden',
  'Hours',
  'Paper',
  'Moon',
  'Northern',
  'Lights',
  'Velvet',
  'Static',
  'Summer',
  'Ghosts',
];

/**
 * Album titles: mostly plain words, some needing CSV quoting (a comma, double quotes) and a few starting
 * with a character the CSV writer escapes against formula injection, as real catalogue data does.
 */
function albumTitles(random: Prng): string[] {
  const word = () => WORDS[Math.floor(random.next() * WORDS.length)] ?? 'Untitled';
  return Array.from({ length: ALBUMS }, (_, i) => {
    const roll = random.next();
    if (roll < 0.04) return `${word()}, ${word()} and ${word()}`;
    if (roll < 0.06) return `The "${word()}" Sessions`;
    if (roll < 0.07) return `-${word()}-`;
    if (roll < 0.09) return `${word()} ${word()} (Live in ${1970 + (i % 50)})`;
    return `${word()} ${word()}`;
  });
}

/** `total` rows in pages of `pageSize`, oldest rating first; every row is a fresh object, like a parsed page. */
function* ratingPages(total: number, pageSize: number, seed: number): Generator<Row[]> {
  const random = new Prng(seed);
  const titles = albumTitles(random);
  let ratedAt = FIRST_RATED_AT;
  for (let start = 0; start < total; start += pageSize) {
    const size = Math.min(pageSize, total - start);
    const page: Row[] = new Array<Row>(size);
    for (let i = 0; i < size; i++) {
      const album = Math.floor(random.next() * ALBUMS);
      ratedAt += Math.floor(random.next() * 30_000);
      page[i] = {
        albumId: `album-${String(album).padStart(5, '0')}`,
        title: titles[album],
        userId: `user-${String(Math.floor(random.next() * USERS)).padStart(6, '0')}`,
        rating: 1 + Math.floor(random.next() * 5),
        ratedAt: new Date(ratedAt).toISOString(),
      };
    }
    yield page;
  }
}

/** The same pages as an async source, the shape a report type's row source has. */
export function syntheticRatingPages(
  total: number,
  pageSize = PAGE_SIZE,
  seed = 20240501,
): AsyncIterable<Row[]> {
  return {
    [Symbol.asyncIterator]() {
      const pages = ratingPages(total, pageSize, seed);
      return { next: () => Promise.resolve(pages.next()) };
    },
  };
}
