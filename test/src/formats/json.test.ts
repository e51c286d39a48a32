import { describe, expect, it } from 'vitest';
import { json, ndjson } from '../../../src/formats/json';
import { getFormat } from '../../../src/formats';
import { countedRows, render, stalledPull, trickyColumns, trickyRows, type TestRow } from './render';

/** What each tricky row should read back as: exactly the columns, in order, missing values null. */
function expectedObjects(rows: readonly TestRow[]): Record<string, unknown>[] {
  return rows.map((row) => ({
    id: row.id ?? null,
    text: row.text ?? null,
    count: row.count ?? null,
    at: row.at ?? null,
  }));
}

describe('json writer', () => {
  it('describes itself and is registered', () => {
    expect(json).toMatchObject({ name: 'json', contentType: 'application/json', fileExtension: 'json' });
    expect(getFormat('json')).toBe(json);
  });

  it('round-trips tricky values through JSON.parse, with exactly the columns in column order', async () => {
    const rows = trickyRows();
    const { bytes } = await render(json, rows, { columns: trickyColumns });
    const text = bytes.toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>[];
    expect(parsed).toEqual(expectedObjects(rows));
    for (const object of parsed) expect(Object.keys(object)).toEqual(['id', 'text', 'count', 'at']);
    // One object per line between the brackets, and a final newline.
    expect(text.startsWith('[\n{"id":"r00"')).toBe(true);
    expect(text.endsWith('}\n]\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(rows.length + 3);
  });

  it('leaves out properties that are not columns and follows the column order, not the row order', async () => {
    const { bytes } = await render(json, [{ b: 2, a: 1, secret: 'x' }], {
      columns: [
        { key: 'a', header: 'A' },
        { key: 'b', header: 'B' },
      ],
    });
    expect(bytes.toString('utf8')).toBe('[\n{"a":1,"b":2}\n]\n');
  });

  it('writes dates as ISO strings, bigints exactly, and values JSON cannot hold as null', async () => {
    const columns = ['date', 'badDate', 'small', 'big', 'nan', 'inf', 'bool', 'nested', 'undef'].map(
      (key) => ({
        key,
        header: key,
      }),
    );
    const { bytes } = await render(
      json,
      [
        {
          date: new Date('2024-03-01T12:34:56.000Z'),
          badDate: new Date('nope'),
          small: 42n,
          big: 12345678901234567890n,
          nan: Number.NaN,
          inf: Number.POSITIVE_INFINITY,
          bool: false,
          nested: { list: [1, 'two', null], inner: { big: 1n } },
          undef: undefined,
        },
      ],
      { columns },
    );
    expect(JSON.parse(bytes.toString('utf8'))).toEqual([
      {
        date: '2024-03-01T12:34:56.000Z',
        badDate: null,
        small: 42,
        big: '12345678901234567890',
        nan: null,
        inf: null,
        bool: false,
        nested: { list: [1, 'two', null], inner: { big: 1 } },
        undef: null,
      },
    ]);
  });

  it('writes a complete empty array for zero rows', async () => {
    const { bytes } = await render(json, [], { columns: trickyColumns });
    expect(bytes.toString('utf8')).toBe('[]\n');
    expect(JSON.parse(bytes.toString('utf8'))).toEqual([]);
  });

  it('streams a large export in pieces that parse as one array', async () => {
    const source = countedRows(50_000, (i) => ({ id: `r${i}`, text: `row ${i}`, count: i, at: null }));
    const { bytes, chunks } = await render(json, source.rows, { columns: trickyColumns });
    expect(chunks).toBeGreaterThan(10);
    const parsed = JSON.parse(bytes.toString('utf8')) as { id: string; count: number }[];
    expect(parsed).toHaveLength(50_000);
    expect(parsed[49_999]).toEqual({ id: 'r49999', text: 'row 49999', count: 49_999, at: null });
  });

  it('stops pulling rows while its consumer does not read, then finishes the file', async () => {
    const total = 200_000;
    const { pulledWhileStalled, bytes } = await stalledPull(
      json,
      total,
      (i) => ({ id: `r${i}`, text: 'x'.repeat(40), count: i, at: null }),
      { columns: trickyColumns },
    );
    expect(pulledWhileStalled).toBeLessThan(total / 10);
    expect((JSON.parse(bytes.toString('utf8')) as unknown[]).length).toBe(total);
  });
});

describe('ndjson writer', () => {
  it('describes itself and is registered', () => {
    expect(ndjson).toMatchObject({
      name: 'ndjson',
      contentType: 'application/x-ndjson',
      fileExtension: 'ndjson',
    });
    expect(getFormat('ndjson')).toBe(ndjson);
  });

  it('writes one object per line that round-trips tricky values', async () => {
    const rows = trickyRows();
    const { bytes } = await render(ndjson, rows, { columns: trickyColumns });
    const text = bytes.toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(rows.length);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(expectedObjects(rows));
  });

  it('writes an empty file for zero rows', async () => {
    const { bytes } = await render(ndjson, [], { columns: trickyColumns });
    expect(bytes.length).toBe(0);
  });
});
