// The Parquet writer, read back with an independent reader (hyparquet, the reading half of the same
// project but a separate package) and compared value by value with the CSV export of the same report.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { getFormat, type Column } from '../../../src/formats';
import { createParquetWriter, parquet } from '../../../src/formats/parquet';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { readParquet } from '../../support/parquet-file';
import { singlePassRatings } from '../../support/single-pass';
import { render, stalledPull } from './render';

const read = readParquet;

const albums = generateAlbums(25, 11);
const ratings = [...generateRatings(albums, 1_500, 11)].sort((a, b) =>
  a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : a.id < b.id ? -1 : 1,
);
const data = new MemorySourceData(albums, ratings, { pageSize: 101 });
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };

describe('parquet writer', () => {
  it('is registered', () => {
    expect(getFormat('parquet')).toBe(parquet);
    expect(parquet).toMatchObject({
      contentType: 'application/vnd.apache.parquet',
      fileExtension: 'parquet',
      timestamps: 'instant',
    });
  });

  it('holds the CSV export of the same report value by value, with typed columns', async () => {
    const file = await singlePassRatings(data, 'parquet', ALL_TIME);
    const csv: string[][] = parse(await singlePassRatings(data, 'csv', ALL_TIME), {});
    const { metadata, rows } = await read(file);
    const leaves = metadata.schema.slice(1).map((element) => ({
      name: element.name,
      type: element.type,
      logical: element.logical_type?.type,
    }));
    expect(leaves).toEqual([
      { name: 'albumId', type: 'BYTE_ARRAY', logical: 'STRING' },
      { name: 'title', type: 'BYTE_ARRAY', logical: 'STRING' },
      { name: 'userId', type: 'BYTE_ARRAY', logical: 'STRING' },
      { name: 'rating', type: 'INT64', logical: undefined },
      { name: 'ratedAt', type: 'INT64', logical: 'TIMESTAMP' },
    ]);
    expect(metadata.num_rows).toBe(BigInt(ratings.length));
    expect(rows).toHaveLength(csv.length - 1);
    csv.slice(1).forEach((record, index) => {
      const row = rows[index] as Record<string, unknown>;
      expect(row.albumId).toBe(record[0]);
      expect(row.title).toBe(record[1]);
      expect(row.userId).toBe(record[2]);
      expect(typeof row.rating).toBe('bigint');
      expect(String(row.rating)).toBe(record[3]);
      expect(row.ratedAt).toBeInstanceOf(Date);
      expect((row.ratedAt as Date).toISOString()).toBe(record[4]);
    });
  });

  it('writes row groups of the set size, in order, and every row', async () => {
    const writer = createParquetWriter({ rowGroupRows: 400 });
    const columns: Column[] = [{ key: 'n', header: 'N', type: 'integer' }];
    const { bytes } = await render(
      writer,
      Array.from({ length: 1_500 }, (_, n) => ({ n })),
      { columns },
    );
    const { metadata, rows } = await read(bytes);
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([400, 400, 400, 300]);
    const starts = metadata.row_groups.map((group) => Number(group.columns[0]?.meta_data?.data_page_offset));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(rows.map((row) => Number((row as { n: bigint }).n))).toEqual(
      Array.from({ length: 1_500 }, (_, n) => n),
    );
  });

  it('types doubles, nulls, big integers, dates and text of any value', async () => {
    const columns: Column[] = [
      { key: 'i', header: 'I', type: 'integer' },
      { key: 'd', header: 'D', type: 'number' },
      { key: 't', header: 'T', type: 'date' },
      { key: 's', header: 'S' },
    ];
    const { bytes } = await render(
      parquet,
      [
        { i: 2n ** 60n, d: 4.25, t: new Date('2024-03-01T12:00:00.123Z'), s: 'ünïcødé 🎉' },
        { i: null, d: null, t: null, s: null },
        { i: '-7', d: '1e3', t: '2024-03-01T13:00:00+01:00', s: { a: 1 } },
        { i: 0, d: -0.5, t: '', s: 42 },
      ],
      { columns, title: 'Typed' },
    );
    const { metadata, rows } = await read(bytes);
    expect(rows).toEqual([
      { i: 2n ** 60n, d: 4.25, t: new Date('2024-03-01T12:00:00.123Z'), s: 'ünïcødé 🎉' },
      { i: null, d: null, t: null, s: null },
      { i: -7n, d: 1000, t: new Date('2024-03-01T12:00:00.000Z'), s: '{"a":1}' },
      { i: 0n, d: -0.5, t: null, s: '42' },
    ]);
    expect(metadata.key_value_metadata).toContainEqual({ key: 'report.headers', value: '["I","D","T","S"]' });
  });

  it('writes a complete file without rows', async () => {
    const { bytes } = await render(parquet, [], { columns: [{ key: 'a', header: 'A' }] });
    const { metadata, rows } = await read(bytes);
    expect(rows).toEqual([]);
    expect(metadata.num_rows).toBe(0n);
  });

  it('fails the export on a value its column type cannot hold', async () => {
    await expect(
      render(parquet, [{ n: 1 }, { n: 'many' }], { columns: [{ key: 'n', header: 'N', type: 'integer' }] }),
    ).rejects.toThrow("column 'n' holds many, which is not a whole number");
  });

  it('stops pulling rows while its consumer does not read, then finishes the file', async () => {
    const writer = createParquetWriter({ rowGroupRows: 1_000 });
    const columns: Column[] = [
      { key: 'n', header: 'N', type: 'integer' },
      { key: 's', header: 'S' },
    ];
    const total = 50_000;
    const { pulledWhileStalled, bytes } = await stalledPull(
      writer,
      total,
      (n) => ({ n, s: `row ${n} ${'x'.repeat(n % 50)}` }),
      { columns },
    );
    expect(pulledWhileStalled).toBeLessThan(total / 4);
    const { rows } = await read(bytes);
    expect(rows).toHaveLength(total);
  });
});
