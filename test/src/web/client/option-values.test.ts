// The option fields of the export form: what a request carries for what the user chose.
import { describe, expect, it } from 'vitest';
import { optionValues } from '../../../../src/web/client/option-values';

const type = {
  columns: [
    { key: 'albumId', header: 'Album ID' },
    { key: 'rating', header: 'Rating', type: 'integer' as const },
    { key: 'ratedAt', header: 'Rated at', type: 'date' as const },
  ],
  compressions: { gzip: ['csv', 'json', 'ndjson'] },
};
const all = ['albumId', 'rating', 'ratedAt'];

describe('optionValues', () => {
  it('sends nothing for the defaults: no compression, every column, no zone', () => {
    expect(optionValues(type, 'csv', { compression: '', checked: all, timeZone: '  ' })).toEqual({});
  });

  it('sends gzip only for a format that takes it', () => {
    expect(optionValues(type, 'csv', { compression: 'gzip', checked: all, timeZone: '' })).toEqual({
      compression: 'gzip',
    });
    expect(optionValues(type, 'xlsx', { compression: 'gzip', checked: all, timeZone: '' })).toEqual({});
  });

  it('sends the checked columns in the type’s order, and the typed zone trimmed', () => {
    expect(
      optionValues(type, 'pdf', {
        compression: '',
        checked: ['ratedAt', 'albumId'],
        timeZone: ' Europe/Berlin ',
      }),
    ).toEqual({ columns: ['albumId', 'ratedAt'], timeZone: 'Europe/Berlin' });
  });

  it('sends an empty column list when none is checked, for the API to refuse', () => {
    expect(optionValues(type, 'csv', { compression: '', checked: [], timeZone: '' })).toEqual({
      columns: [],
    });
  });
});
