// CSV format writer on `csv-stringify`: RFC 4180 quoting, CRLF records, UTF-8 (optional BOM), header row
// from the columns, and formula-injection escaping of every string cell, header cells included.
import { Stringifier, type Options as StringifyOptions } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';
import type { Transform } from 'node:stream';
import {
  BYTE_HIGH_WATER_MARK,
  ROW_HIGH_WATER_MARK,
  type Column,
  type CreateStreamOptions,
  type FormatWriter,
  joinedParts,
} from '../domain/format';

export interface CsvOptions {
  /** Prepend a UTF-8 byte order mark (helps old Excel guess the encoding). Default false. */
  readonly bom?: boolean;
}

/**
 * The csv-stringify options of the CSV format, without the stream settings: the cell and record rules in
 * one place (the benchmark's serializer-only baseline uses exactly these).
 */
export function csvStringifyOptions(columns: readonly Column[], bom = false): StringifyOptions {
  return {
    // An array path is taken literally: a key like `a.b` reads the property `a.b`, not `a` → `b`.
    columns: columns.map((column) => ({ key: [column.key], header: column.header })),
    header: true,
    bom,
    delimiter: ',',
    quote: '"',
    escape: '"',
    record_delimiter: '\r\n',
    // Quote any cell holding a lone CR or LF too (RFC 4180). csv-stringify turns this off by default
    // once `record_delimiter` is set, which would split such a cell across records.
    quote_record_delimiter: true,
    eof: true,
    escape_formulas: true,
    cast: {
      date: (value) => (Number.isNaN(value.getTime()) ? '' : value.toISOString()),
      boolean: (value) => (value ? 'true' : 'false'),
    },
  };
}

function csvStream(columns: readonly Column[], bom: boolean, header: boolean): Transform {
  return new Stringifier({
    ...csvStringifyOptions(columns, bom),
    header,
    writableObjectMode: true,
    writableHighWaterMark: ROW_HIGH_WATER_MARK,
    readableHighWaterMark: BYTE_HIGH_WATER_MARK,
  });
}

/**
 * A CSV writer. Cell rules: strings as-is, numbers and bigints unchanged (`-5` stays `-5`), dates as ISO
 * 8601 (`toISOString`, invalid dates empty), booleans `true`/`false`, null/undefined empty, other objects
 * as JSON. A string cell starting with `=`, `+`, `-`, `@`, tab or CR (or their full-width forms) gets a
 * leading `'` so spreadsheets do not run it as a formula (OWASP CSV injection); numbers never do.
 */
export function createCsvWriter(options: CsvOptions = {}): FormatWriter {
  const bom = options.bom ?? false;
  return {
    name: 'csv',
    contentType: 'text/csv; charset=utf-8',
    fileExtension: 'csv',
    createStream: ({ columns }: CreateStreamOptions): Transform => csvStream(columns, bom, true),
    // In chunks: the header row (and BOM) once, at the start, then each chunk's records as they are.
    chunked: {
      createChunkStream: ({ columns }) => csvStream(columns, false, false),
      assemble: (chunkRows, { columns }) =>
        joinedParts(chunkRows, Buffer.from(stringify([], csvStringifyOptions(columns, bom)), 'utf8')),
    },
  };
}

/** The registered CSV writer (no BOM). */
export const csv: FormatWriter = createCsvWriter();
