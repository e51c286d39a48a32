import { describe, expect, it } from 'vitest';
import { blobNameFor, blobSegment } from '../../../src/domain/blob-name';

describe('blobNameFor', () => {
  it('keeps the readable {tenantId}/{reportId}/{fileName} form for ordinary ids', () => {
    const name = blobNameFor(
      { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', id: 'c0ffee00-0000-4000-8000-000000000001' },
      'popularity-c0ffee00.csv',
    );
    expect(name).toBe(
      '72f988bf-86f1-41af-91ab-2d7cd011db47/c0ffee00-0000-4000-8000-000000000001/popularity-c0ffee00.csv',
    );
    expect(blobNameFor({ tenantId: 'contoso', id: 'r1' }, 'x.csv')).toBe('contoso/r1/x.csv');
  });

  it.each([
    '..',
    '.',
    '',
    '../reports/fabrikam',
    '../contoso',
    'a/b',
    'a%2Fb',
    'x.',
    '.hidden',
    'contosö',
    '~x',
  ])('turns %j into one segment that cannot name another folder', (tenantId) => {
    const name = blobNameFor({ tenantId, id: 'r1' }, 'x.csv');
    const segments = name.split('/');
    expect(segments).toHaveLength(3);
    expect(segments[0]).toMatch(/^~[A-Za-z0-9_-]*$/);
    expect(segments.slice(1)).toEqual(['r1', 'x.csv']);
    expect(new URL(`http://h/c/${name}`).pathname).toBe(`/c/${name}`);
  });

  it('never maps two different parts to the same segment', () => {
    const parts = ['a', '~YQ', 'YQ', '..', '.', '/', '%2F', 'a.b', 'a.b.', ''];
    const segments = parts.map(blobSegment);
    expect(new Set(segments).size).toBe(parts.length);
  });
});
