// Parquet format writer on hyparquet-writer (pure JavaScript): typed columns (text as UTF-8 strings,
// whole numbers as INT64, other numbers as DOUBLE, timestamps as INT64 UTC milliseconds), snappy pages,
// row groups of ROW_GROUP_ROWS rows. Rows are gathered into columns one row group at a time, the group
// is encoded and handed on, and only then are more rows taken: memory holds one row group, whatever
// the row count. The footer (schema and every row group's offsets) is written at the end.
//
// Parquet runs in one pass: a chunk cannot know where in the file its row groups start, and the footer
// records absolute offsets (see docs/formats.md).
import { Transform, type TransformCallback } from 'node:stream';
import { plainText } from './cells';
import {
  BYTE_HIGH_WATER_MARK,
  ROW_HIGH_WATER_MARK,
  type Column,
  type CreateStreamOptions,
  type FormatWriter,
  type Row,
} from '../domain/format';

/** Rows per row group: what readers expect (large enough to scan fast, small enough to hold). */
const ROW_GROUP_ROWS = 100_000;

export interface ParquetOptions {
  /** Rows per row group; default 100,000. */
  readonly rowGroupRows?: number;
}

/** The Parquet schema of one column, as hyparquet-writer (and the Parquet format) spells it. */
interface SchemaElement {
  name: string;
  type?: 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';
  repetition_type?: 'OPTIONAL';
  num_children?: number;
  converted_type?: 'UTF8' | 'TIMESTAMP_MILLIS';
  logical_type?: { type: 'STRING' } | { type: 'TIMESTAMP'; isAdjustedToUTC: boolean; unit: 'MILLIS' };
}

/** The parts of hyparquet-writer this writer uses. */
interface ByteWriter {
  buffer: ArrayBuffer;
  index: number;
}
interface ParquetWriter {
  write(options: {
    columnData: { name: string; data: unknown[] }[];
    rowGroupSize: number;
  }): void | Promise<void>;
  finish(): void | Promise<void>;
}
interface Library {
  ByteWriter: new (initialSize: number) => ByteWriter;
  ParquetWriter: new (options: {
    writer: ByteWriter;
    schema: SchemaElement[];
    codec: 'SNAPPY';
    kvMetadata: { key: string; value: string }[];
    createdBy: string;
  }) => ParquetWriter;
}

/** hyparquet-writer is an ES module: loaded once, on the first Parquet export. */
const library = (): Promise<Library> =>
  (loaded ??= import('hyparquet-writer').then((module) => module as unknown as Library));
let loaded: Promise<Library> | undefined;

/** The Parquet type of a column, by its declared type (untyped columns are text). */
function schemaElement(column: Column): SchemaElement {
  const base = { name: column.key, repetition_type: 'OPTIONAL' } as const;
  switch (column.type) {
    case 'integer':
      return { ...base, type: 'INT64' };
    case 'number':
      return { ...base, type: 'DOUBLE' };
    case 'date':
      return {
        ...base,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    default:
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  }
}

const isEmpty = (value: unknown): boolean => value === null || value === undefined || value === '';

/** A cell of an INT64 column: whole numbers (and their text) as bigints; anything else is an error. */
function integerCell(column: Column, value: unknown): bigint | null {
  if (isEmpty(value)) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^[-+]?\d{1,18}$/.test(value.trim())) return BigInt(value.trim());
  throw new Error(`column '${column.key}' holds ${plainText(value)}, which is not a whole number`);
}

/** A cell of a DOUBLE column: numbers and numeric text as numbers; anything else is an error. */
function numberCell(column: Column, value: unknown): number | null {
  if (isEmpty(value)) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  const parsed = typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isNaN(parsed)) return parsed;
  throw new Error(`column '${column.key}' holds ${plainText(value)}, which is not a number`);
}

/** A cell of a timestamp column: Dates and ISO 8601 timestamps as UTC milliseconds. */
function timestampCell(column: Column, value: unknown): bigint | null {
  if (isEmpty(value)) return null;
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new Error(`column '${column.key}' holds ${plainText(value)}, which is no instant`);
  return BigInt(ms);
}

const cellOf = (column: Column): ((value: unknown) => unknown) => {
  switch (column.type) {
    case 'integer':
      return (value) => integerCell(column, value);
    case 'number':
      return (value) => numberCell(column, value);
    case 'date':
      return (value) => timestampCell(column, value);
    default:
      return (value) => (value === null || value === undefined ? null : plainText(value));
  }
};

class ParquetStream extends Transform {
  readonly #columns: readonly Column[];
  readonly #cells: ((value: unknown) => unknown)[];
  readonly #kv: { key: string; value: string }[];
  #values: unknown[][];
  #writer: ByteWriter | undefined;
  #parquet: ParquetWriter | undefined;
  #readWaiters: (() => void)[] = [];

  constructor(
    options: CreateStreamOptions,
    private readonly rowGroupRows: number,
  ) {
    super({
      writableObjectMode: true,
      writableHighWaterMark: ROW_HIGH_WATER_MARK,
      readableHighWaterMark: BYTE_HIGH_WATER_MARK,
    });
    this.#columns = options.columns;
    this.#cells = options.columns.map(cellOf);
    this.#values = options.columns.map(() => []);
    this.#kv = [
      // The headers, for tools that show them (a Parquet column is named by its key).
      { key: 'report.headers', value: JSON.stringify(options.columns.map((column) => column.header)) },
      ...(options.title === undefined ? [] : [{ key: 'report.title', value: options.title }]),
    ];
  }

  /** The writer, made on first use (the library loads asynchronously). */
  async #start(): Promise<ParquetWriter> {
    if (this.#parquet) return this.#parquet;
    const { ByteWriter, ParquetWriter } = await library();
    const writer = new ByteWriter(1 << 20);
    // Called after each row group and at the end: the bytes so far go out, and the next group waits
    // until the consumer has read them.
    Object.assign(writer, { flush: () => this.#emit(), finish: () => void this.#emit() });
    this.#writer = writer;
    this.#parquet = new ParquetWriter({
      writer,
      schema: [{ name: 'root', num_children: this.#columns.length }, ...this.#columns.map(schemaElement)],
      codec: 'SNAPPY',
      kvMetadata: this.#kv,
      createdBy: 'report-exports (hyparquet-writer)',
    });
    return this.#parquet;
  }

  #emit(): Promise<void> | undefined {
    const writer = this.#writer;
    if (!writer || writer.index === 0) return undefined;
    const bytes = Buffer.from(writer.buffer.slice(0, writer.index));
    writer.index = 0;
    if (this.push(bytes)) return undefined;
    return new Promise((resolve) => this.#readWaiters.push(resolve));
  }

  override _read(size: number): void {
    super._read(size);
    const waiters = this.#readWaiters;
    this.#readWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Encodes the gathered rows as one row group and hands its bytes on. */
  async #writeGroup(): Promise<void> {
    const rows = this.#values[0]?.length ?? 0;
    const parquet = await this.#start();
    if (rows === 0) return;
    const columnData = this.#columns.map((column, index) => ({
      name: column.key,
      data: this.#values[index] ?? [],
    }));
    this.#values = this.#columns.map(() => []);
    await parquet.write({ columnData, rowGroupSize: rows });
  }

  override _transform(row: Row, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#columns.forEach((column, index) => {
        this.#values[index]?.push(this.#cells[index]?.(row[column.key]));
      });
    } catch (error) {
      callback(error as Error);
      return;
    }
    if ((this.#values[0]?.length ?? 0) < this.rowGroupRows) callback();
    else this.#writeGroup().then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#writeGroup()
      .then(async () => {
        await (await this.#start()).finish();
      })
      .then(() => callback(), callback);
  }
}

/** A Parquet writer; see the module comment and {@link ParquetOptions}. */
export function createParquetWriter(options: ParquetOptions = {}): FormatWriter {
  const rowGroupRows = options.rowGroupRows ?? ROW_GROUP_ROWS;
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1)
    throw new RangeError('rowGroupRows must be at least 1');
  return {
    name: 'parquet',
    contentType: 'application/vnd.apache.parquet',
    fileExtension: 'parquet',
    // Timestamps are instants (UTC milliseconds) whatever the report's time zone.
    timestamps: 'instant',
    createStream: (streamOptions) => new ParquetStream(streamOptions, rowGroupRows),
  };
}

/** The registered Parquet writer (row groups of 100,000 rows, snappy). */
export const parquet: FormatWriter = createParquetWriter();
