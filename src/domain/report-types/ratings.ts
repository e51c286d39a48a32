// `ratings`: every rating given within a date range (a large raw export that exercises streaming).
import { z } from 'zod';
import { dateRangeParameters, type ReportTypeDefinition } from './types';

export const ratingsParameters = dateRangeParameters({
  albumId: z.string().min(1).max(100).optional().describe('Only ratings of this album.'),
});

export type RatingsParameters = z.output<typeof ratingsParameters>;

export const ratings: ReportTypeDefinition<RatingsParameters> = {
  name: 'ratings',
  title: 'All ratings',
  description: 'Every rating given within the date range, oldest first.',
  parameters: ratingsParameters,
  formats: ['csv'],
  columns: [
    { key: 'albumId', header: 'Album ID' },
    { key: 'title', header: 'Title' },
    { key: 'userId', header: 'User ID' },
    { key: 'rating', header: 'Rating' },
    { key: 'ratedAt', header: 'Rated at' },
  ],
};
