// `popularity`: albums ranked by the ratings they received within a date range.
import { z } from 'zod';
import { dateRangeParameters, type ReportTypeDefinition } from './types';

export const popularityParameters = dateRangeParameters({
  genre: z.string().min(1).max(50).optional().describe('Only albums of this genre.'),
  top: z.number().int().min(1).max(10_000).default(100).describe('How many albums to rank.'),
});

export type PopularityParameters = z.output<typeof popularityParameters>;

export const popularity: ReportTypeDefinition<PopularityParameters> = {
  name: 'popularity',
  title: 'Album popularity',
  description:
    'Albums ranked by the number of ratings they received within the date range, with their average rating.',
  parameters: popularityParameters,
  formats: ['csv'],
  columns: [
    { key: 'rank', header: 'Rank' },
    { key: 'albumId', header: 'Album ID' },
    { key: 'title', header: 'Title' },
    { key: 'artist', header: 'Artist' },
    { key: 'genre', header: 'Genre' },
    { key: 'releaseYear', header: 'Release year' },
    { key: 'ratingCount', header: 'Rating count' },
    { key: 'averageRating', header: 'Average rating' },
  ],
};
