// The XLSX writer, read back with exceljs's (non-streaming) workbook reader.
import ExcelJS from 'exceljs';
import { Readable, Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createXlsxWriter, EXCEL_MAX_ROWS, sheetName, xlsx } from '../../../src/formats/xlsx';
import { getFormat, type Column } from '../../../src/formats';
import { countedRows, render, stalledPull, trickyColumns, trickyRows, type TestRow } from './render';

/** exceljs types its input as a Buffer that is also an ArrayBuffer; a Node Buffer is what it reads. */
async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as Parameters<ExcelJS.Xlsx['load']>[0]);
  return workbook;
}

/**
 * One file of a zip archive, found through the central directory (archiver writes sizes there, not in
 * the local headers). Just enough of the format to look at the raw sheet XML.
 */
function zipEntry(zip: Buffer, name: string): string {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    at += 46 + skip;
  }
  throw new Error(`no ${name} in the archive`);
}

/** A sheet's rows (header included) as plain cell values; trailing empty cells come back as null. */
function values(sheet: ExcelJS.Worksheet, width: number): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    rows.push(Array.from({ length: width }, (_, i) => row.getCell(i + 1).value ?? null));
  });
  return rows;
}

const sheetOf = (workbook: ExcelJS.Workbook, index = 0): ExcelJS.Worksheet => {
  const sheet = workbook.worksheets[index];
  if (!sheet) throw new Error(`no sheet ${index}`);
  return sheet;
};

function expectHeaderStyled(sheet: ExcelJS.Worksheet, columns: readonly Column[]): void {
  const header = sheet.getRow(1);
  columns.forEach((column, i) => {
    expect(header.getCell(i + 1).value).toBe(column.header);
    expect(header.getCell(i + 1).font?.bold).toBe(true);
  });
  expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
}

describe('xlsx writer', () => {
  it('describes itself and is registered', () => {
    expect(xlsx).toMatchObject({
      name: 'xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      fileExtension: 'xlsx',
    });
    expect(getFormat('xlsx')).toBe(xlsx);
  });

  it('round-trips tricky values as typed cells under a bold, frozen header', async () => {
    const rows = trickyRows();
    const generatedAt = new Date('2024-05-01T08:00:00.000Z');
    const { bytes } = await render(xlsx, rows, {
      columns: trickyColumns,
      title: 'Album popularity',
      parameters: { fromDate: '2024-01-01', top: 5 },
      generatedAt,
    });
    const workbook = await load(bytes);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Album popularity']);
    expect(workbook.title).toBe('Album popularity');
    expect(workbook.created).toEqual(generatedAt);
    const sheet = sheetOf(workbook);
    expectHeaderStyled(sheet, trickyColumns);
    const expected = rows.map((row) => [
      row.id ?? null,
      // Empty text is an empty cell; a line break is Excel's LF.
      typeof row.text === 'string' && row.text !== '' ? row.text.replace(/\r\n/g, '\n') : null,
      row.count ?? null,
      typeof row.at === 'string' ? new Date(row.at) : null,
    ]);
    const read = values(sheet, 4).slice(1);
    // exceljs's reader decodes entities in text cells twice (`&amp;amp;` comes back as `&`), so the
    // entity-looking value is checked in the sheet's XML instead.
    const entity = rows.findIndex((row) => row.text === '<b>&amp;</b>');
    expect(read[entity]?.[1]).not.toBeNull();
    read[entity]![1] = expected[entity]![1];
    expect(read).toEqual(expected);
    expect(zipEntry(bytes, 'xl/worksheets/sheet1.xml')).toContain('<v>&lt;b&gt;&amp;amp;&lt;/b&gt;</v>');
    // Types, not just printable equality: numbers are numbers and timestamps are dates.
    const large = sheet.getRow(rows.findIndex((row) => row.id === 'large') + 2);
    expect(typeof large.getCell(3).value).toBe('number');
    expect(large.getCell(3).value).toBe(Number.MAX_SAFE_INTEGER);
    expect(large.getCell(4).value).toBeInstanceOf(Date);
    expect(large.getCell(4).numFmt).toBe('yyyy-mm-dd hh:mm:ss.000');
    // Widths from the header and the values: the timestamp column is wide enough for a timestamp.
    for (let i = 1; i <= 4; i++) expect(sheet.getColumn(i).width ?? 0).toBeGreaterThanOrEqual(10);
    expect(sheet.getColumn(4).width ?? 0).toBeGreaterThanOrEqual(19);
  });

  it('types cells by the declared column type, and leaves numeric-looking text alone otherwise', async () => {
    const columns: Column[] = [
      { key: 'code', header: 'Code' },
      { key: 'declaredNumber', header: 'Declared number', type: 'number' },
      { key: 'declaredDate', header: 'Declared date', type: 'date' },
      { key: 'declaredText', header: 'Declared text', type: 'string' },
      { key: 'mixed', header: 'Mixed' },
    ];
    const rows: TestRow[] = [
      { code: '00123', declaredNumber: '42.5', declaredDate: '2024-02-29', declaredText: 7, mixed: 1 },
      {
        code: '1e3',
        declaredNumber: 'n/a',
        declaredDate: '2024-02-30',
        declaredText: '2024-03-01T00:00:00.000Z',
      },
      { code: '7', declaredNumber: 12n, declaredDate: new Date('2020-01-01T10:00:00Z'), mixed: 'text' },
      { code: '8', declaredNumber: 123456789012345678901234567890n, mixed: true },
      { code: '9', declaredNumber: Number.NaN, mixed: new Date('2021-06-01T00:00:00Z') },
      { code: '10', mixed: { nested: [1, 2] } },
    ];
    const sheet = sheetOf(await load((await render(xlsx, rows, { columns })).bytes));
    expect(values(sheet, 5).slice(1)).toEqual([
      ['00123', 42.5, new Date('2024-02-29T00:00:00.000Z'), '7', 1],
      ['1e3', 'n/a', '2024-02-30', '2024-03-01T00:00:00.000Z', null],
      ['7', 12, new Date('2020-01-01T10:00:00.000Z'), null, 'text'],
      ['8', '123456789012345678901234567890', null, null, true],
      ['9', null, null, null, new Date('2021-06-01T00:00:00.000Z')],
      ['10', null, null, null, '{"nested":[1,2]}'],
    ]);
    // A date in a column that is not a date column still gets a date format of its own.
    expect(sheet.getRow(6).getCell(5).numFmt).toMatch(/yyyy-mm-dd/);
  });

  it('continues on a new sheet, header repeated, past maxRowsPerSheet', async () => {
    const writer = createXlsxWriter({ maxRowsPerSheet: 10 });
    const rows = Array.from({ length: 25 }, (_, i) => ({
      id: `r${i}`,
      text: `row ${i}`,
      count: i,
      at: null,
    }));
    const workbook = await load(
      (await render(writer, rows, { columns: trickyColumns, title: 'Ratings' })).bytes,
    );
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Ratings', 'Ratings (2)', 'Ratings (3)']);
    const all: unknown[][] = [];
    for (const sheet of workbook.worksheets) {
      expectHeaderStyled(sheet, trickyColumns);
      const data = values(sheet, 3).slice(1);
      expect(data.length).toBeLessThanOrEqual(9);
      all.push(...data);
    }
    expect(workbook.worksheets.map((sheet) => sheet.rowCount)).toEqual([10, 10, 8]);
    expect(all).toEqual(rows.map((row) => [row.id, row.text, row.count]));
  });

  it('writes a complete workbook with the header only for zero rows', async () => {
    const workbook = await load((await render(xlsx, [], { columns: trickyColumns })).bytes);
    expect(workbook.worksheets).toHaveLength(1);
    const sheet = sheetOf(workbook);
    expect(sheet.name).toBe('Report');
    expect(sheet.rowCount).toBe(1);
    expectHeaderStyled(sheet, trickyColumns);
  });

  it("cuts text longer than Excel's cell limit and drops characters XML cannot hold", async () => {
    const long = 'x'.repeat(40_000);
    const sheet = sheetOf(
      await load(
        (
          await render(xlsx, [{ id: long, text: 'bell\u0007 and nul\u0000 gone' }], {
            columns: trickyColumns,
          })
        ).bytes,
      ),
    );
    const cell = sheet.getRow(2).getCell(1).value as string;
    expect(cell).toHaveLength(32_767);
    expect(cell.endsWith('x…')).toBe(true);
    expect(sheet.getRow(2).getCell(2).value).toBe('bell and nul gone');
  });

  it('streams a large export, and stops pulling rows while its consumer does not read', async () => {
    const total = 90_000;
    const make = (i: number): TestRow => ({
      id: `r${i}`,
      text: `text ${(i * 7919) % 100_003} ${'y'.repeat(i % 30)}`,
      count: i,
      at: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    });
    const { pulledWhileStalled, bytes } = await stalledPull(xlsx, total, make, { columns: trickyColumns });
    expect(pulledWhileStalled).toBeLessThan(total / 3);
    const sheet = sheetOf(await load(bytes));
    expect(sheet.rowCount).toBe(total + 1);
    const last = sheet.getRow(total + 1);
    expect([last.getCell(1).value, last.getCell(3).value, last.getCell(4).value]).toEqual([
      `r${total - 1}`,
      total - 1,
      new Date(make(total - 1).at as string),
    ]);
  }, 60_000);

  it('gives the first bytes before the last row is pulled', async () => {
    const source = countedRows(30_000, (i) => ({ id: `r${i}`, text: 'z'.repeat(50), count: i, at: null }));
    let pulledAtFirstByte = -1;
    const stream = xlsx.createStream({ columns: trickyColumns });
    stream.once('data', () => (pulledAtFirstByte = source.pulled()));
    await pipeline(
      Readable.from(source.rows),
      stream,
      new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      }),
    );
    expect(pulledAtFirstByte).toBeGreaterThanOrEqual(0);
    expect(pulledAtFirstByte).toBeLessThan(30_000);
  });

  it('names sheets the way Excel accepts them', () => {
    expect(sheetName('Album popularity', 1)).toBe('Album popularity');
    expect(sheetName('Album popularity', 12)).toBe('Album popularity (12)');
    expect(sheetName(undefined, 1)).toBe('Report');
    expect(sheetName('  ', 2)).toBe('Report (2)');
    expect(sheetName('a/b\\c?d*e[f]g:h', 1)).toBe('a b c d e f g h');
    expect(sheetName("'quoted'", 1)).toBe('quoted');
    expect(sheetName('History', 1)).toBe('History report');
    const long = sheetName('A very long report title that goes on and on', 3);
    expect(long.length).toBeLessThanOrEqual(31);
    expect(long.endsWith(' (3)')).toBe(true);
  });

  it('refuses a sheet size Excel cannot hold', () => {
    expect(() => createXlsxWriter({ maxRowsPerSheet: 1 })).toThrow(RangeError);
    expect(() => createXlsxWriter({ maxRowsPerSheet: EXCEL_MAX_ROWS + 1 })).toThrow(RangeError);
    expect(() => createXlsxWriter({ maxRowsPerSheet: 2.5 })).toThrow(RangeError);
  });
});
