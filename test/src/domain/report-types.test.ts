import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  builtInReportTypes,
  createReportTypeRegistry,
  describeReportTypes,
} from '../../../src/domain/report-types';
import { popularity, popularityParameters } from '../../../src/domain/report-types/popularity';
import { ratings, ratingsParameters } from '../../../src/domain/report-types/ratings';
import { GENRES } from '../../../src/domain/report-types/source-data';
import { fieldErrors, validate } from '../../../src/domain/validation';

const range = { fromDate: '2024-01-01', toDate: '2024-12-31' };

function errorsOf(result: z.ZodSafeParseResult<unknown>): Record<string, string[]> {
  if (result.success) throw new Error('expected validation to fail');
  return fieldErrors(result.error, 'parameters');
}

describe('popularity parameters', () => {
  it('accepts a valid range and applies the default top', () => {
    expect(popularityParameters.parse(range)).toEqual({ ...range, top: 100 });
    expect(popularityParameters.parse({ ...range, genre: 'Jazz', top: 10 })).toEqual({
      ...range,
      genre: 'Jazz',
      top: 10,
    });
  });

  it('accepts a single-day range and a leap day', () => {
    expect(popularityParameters.safeParse({ fromDate: '2024-02-29', toDate: '2024-02-29' }).success).toBe(
      true,
    );
  });

  it.each([
    ['impossible day', '2024-02-30'],
    ['non-leap Feb 29', '2023-02-29'],
    ['unpadded', '2024-1-1'],
    ['timestamp', '2024-01-01T00:00:00Z'],
    ['not a string', 20240101],
    ['null', null],
  ])('rejects fromDate: %s', (_label, fromDate) => {
    const errors = errorsOf(popularityParameters.safeParse({ ...range, fromDate }));
    expect(errors['parameters.fromDate']).toEqual(['must be a calendar date in YYYY-MM-DD format']);
  });

  it('requires both dates', () => {
    const errors = errorsOf(popularityParameters.safeParse({}));
    expect(Object.keys(errors).sort()).toEqual(['parameters.fromDate', 'parameters.toDate']);
  });

  it('reports fromDate after toDate on toDate', () => {
    const errors = errorsOf(popularityParameters.safeParse({ fromDate: '2024-03-02', toDate: '2024-03-01' }));
    expect(errors).toEqual({ 'parameters.toDate': ['must be on or after fromDate (2024-03-02)'] });
  });

  it('accepts any range with fromDate on or before toDate, all time included', () => {
    for (const [fromDate, toDate] of [
      ['2020-01-01', '2025-01-02'],
      ['2000-01-01', '2030-12-31'],
      ['0001-01-01', '9999-12-31'],
      ['2024-02-29', '2024-02-29'],
    ]) {
      expect(popularityParameters.safeParse({ fromDate, toDate }).success, `${fromDate}..${toDate}`).toBe(
        true,
      );
    }
  });

  it('rejects unknown keys so a typo is not silently ignored', () => {
    const errors = errorsOf(popularityParameters.safeParse({ ...range, tpo: 5 }));
    expect(errors).toEqual({ 'parameters.tpo': ['is not a known field'] });
  });

  it.each([0, -1, 10_001, 2.5, '10'])('rejects top %j', (top) => {
    const errors = errorsOf(popularityParameters.safeParse({ ...range, top }));
    expect(Object.keys(errors)).toEqual(['parameters.top']);
  });

  it('accepts top at its bounds', () => {
    expect(popularityParameters.safeParse({ ...range, top: 1 }).success).toBe(true);
    expect(popularityParameters.safeParse({ ...range, top: 10_000 }).success).toBe(true);
  });

  it('takes a genre of the list in any case, as stored, and refuses any other', () => {
    for (const given of ['jazz', 'JAZZ', 'Jazz', 'jAzZ']) {
      expect(popularityParameters.parse({ ...range, genre: given }).genre).toBe('Jazz');
    }
    expect(popularityParameters.parse({ ...range, genre: 'hip-hop' }).genre).toBe('Hip-Hop');
    for (const genre of ['', 'Jaz', 'x'.repeat(51), 'Jazz ', 7]) {
      const errors = validate(popularityParameters, { ...range, genre }, 'parameters');
      expect(errors.ok, JSON.stringify(genre)).toBe(false);
      if (!errors.ok) {
        expect(errors.errors['parameters.genre']).toEqual([`must be one of: ${GENRES.join(', ')}`]);
      }
    }
  });

  it('rejects a parameters value that is not an object', () => {
    expect(errorsOf(popularityParameters.safeParse('2024'))).toHaveProperty(['parameters']);
  });
});

describe('ratings parameters', () => {
  it('shares the date-range rules', () => {
    expect(ratingsParameters.parse({ ...range, albumId: 'a1' })).toEqual({ ...range, albumId: 'a1' });
    expect(
      errorsOf(ratingsParameters.safeParse({ fromDate: '2024-02-30', toDate: '2024-03-01' })),
    ).toHaveProperty(['parameters.fromDate']);
    expect(
      errorsOf(ratingsParameters.safeParse({ fromDate: '2024-03-02', toDate: '2024-03-01' })),
    ).toHaveProperty(['parameters.toDate']);
    expect(ratingsParameters.safeParse({ fromDate: '2000-01-01', toDate: '2030-12-31' }).success).toBe(true);
    expect(errorsOf(ratingsParameters.safeParse({ ...range, top: 5 }))).toEqual({
      'parameters.top': ['is not a known field'],
    });
  });
});

describe('registry', () => {
  it('holds both types with URL-safe lowercase names, every format and columns', () => {
    expect(builtInReportTypes.all.map((type) => type.name)).toEqual(['popularity', 'ratings']);
    for (const type of builtInReportTypes.all) {
      expect(type.name).toMatch(/^[a-z0-9-]+$/);
      expect(type.formats).toEqual(['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet']);
    }
    expect(popularity.columns.map((column) => column.key)).toEqual([
      'rank',
      'albumId',
      'title',
      'artist',
      'genre',
      'releaseYear',
      'ratingCount',
      'averageRating',
    ]);
    expect(ratings.columns.map((column) => column.key)).toEqual([
      'albumId',
      'title',
      'userId',
      'rating',
      'ratedAt',
    ]);
  });

  it('finds types by name and returns undefined for unknown names', () => {
    expect(builtInReportTypes.get('popularity')).toBe(popularity);
    expect(builtInReportTypes.get('ratings')).toBe(ratings);
    expect(builtInReportTypes.get('nope')).toBeUndefined();
    expect(builtInReportTypes.get('constructor')).toBeUndefined();
    expect(builtInReportTypes.get('Popularity')).toBeUndefined();
  });

  it('builds a registry of other types, refusing a name that is not URL-safe or is taken', () => {
    const other = { ...ratings, name: 'other-ratings' };
    const registry = createReportTypeRegistry([...builtInReportTypes.all, other]);
    expect(registry.all.map((type) => type.name)).toEqual(['popularity', 'ratings', 'other-ratings']);
    expect(registry.get('other-ratings')).toBe(other);
    expect(builtInReportTypes.get('other-ratings')).toBeUndefined();
    expect(() => createReportTypeRegistry([ratings, ratings])).toThrow(/registered twice/);
    expect(() => createReportTypeRegistry([{ ...ratings, name: 'Bad Name' }])).toThrow(
      /invalid report type name/,
    );
    expect(() => createReportTypeRegistry([{ ...ratings, name: '' }])).toThrow(/invalid report type name/);
  });

  it('describes every type with an input JSON Schema of its parameters', () => {
    const described = describeReportTypes(builtInReportTypes);
    expect(described.map((type) => type.name)).toEqual(['popularity', 'ratings']);
    const [pop, rat] = described;
    expect(pop).toMatchObject({
      title: popularity.title,
      description: popularity.description,
      formats: ['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet'],
    });
    expect(pop?.parameters).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['fromDate', 'toDate'],
      additionalProperties: false,
      properties: {
        fromDate: { type: 'string', format: 'date' },
        toDate: { type: 'string', format: 'date' },
        genre: { type: 'string', enum: [...GENRES] },
        top: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
      },
    });
    expect(rat?.parameters).toMatchObject({
      required: ['fromDate', 'toDate'],
      additionalProperties: false,
      properties: { fromDate: { format: 'date' }, toDate: { format: 'date' }, albumId: { type: 'string' } },
    });
    expect(JSON.parse(JSON.stringify(described))).toEqual(described);
  });
});

describe('date-range checks with invalid dates', () => {
  it('reports only the bad field, never a spurious range error', () => {
    const errors = errorsOf(popularityParameters.safeParse({ fromDate: '2024-13-01', toDate: '2024-01-01' }));
    expect(errors).toEqual({ 'parameters.fromDate': ['must be a calendar date in YYYY-MM-DD format'] });
  });
});
