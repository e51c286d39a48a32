// What an output format is. A format writer turns a stream of row objects into the bytes of one export
// file. Knows nothing of Azure SDKs: the worker pipes rows through `createStream` into whatever sink it has.
import type { Transform } from 'node:stream';

/**
 * What a column holds, for the formats that type their cells (XLSX, PDF, Parquet): `number` cells are
 * numbers (numeric strings too), `integer` ones whole numbers (numbers to XLSX and PDF), `date` cells are instants (Date objects and ISO 8601 strings), `string` cells
 * are text whatever the value. Left out, the writer decides from the values (see ./cells.ts).
 */
export type ColumnType = 'string' | 'integer' | 'number' | 'date';

/**
 * How a writer takes the timestamps of a report written in a time zone other than UTC (see
 * ../domain/export-options.ts): `iso` text with the zone's offset (CSV, JSON), the zone's `wall-clock`
 * time as a Date (XLSX and PDF, whose cells have no zone), or the `instant` unchanged (Parquet).
 */
export type TimestampStyle = 'iso' | 'wall-clock' | 'instant';

/** One output row, keyed by column key (the one row type: report types produce it, formats write it). */
export type Row = Readonly<Record<string, unknown>>;

/** One output column: `key` is the row property, `header` the header cell (same shape as a report type's columns). */
export interface Column {
  readonly key: string;
  readonly header: string;
  readonly type?: ColumnType;
}

export interface CreateStreamOptions {
  /** Columns in output order. */
  readonly columns: readonly Column[];
  /** The report's title, for formats that have somewhere to put it (not CSV). */
  readonly title?: string;
  /** The report's parsed parameters, for formats that print them (not CSV). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** When the export was made, for formats that print it (PDF) or record it (XLSX). Default: now. */
  readonly generatedAt?: Date;
}

/**
 * One pluggable output format (CSV, JSON, NDJSON, XLSX, PDF). Adding a format is one module
 * plus one line in ./index.ts.
 */
export interface FormatWriter {
  /** Lowercase, URL-safe: the `format` a client asks for. */
  readonly name: string;
  /** The blob's / download's `Content-Type`. */
  readonly contentType: string;
  /** Without the dot, e.g. `csv`. */
  readonly fileExtension: string;
  /**
   * The most rows this format writes (PDF is for reading, not for millions of rows). The writer ignores
   * rows past it, and the export pipeline stops reading the source after one more row, so the writer can
   * tell the data was cut short. Absent: no limit.
   */
  readonly maxRows?: number;
  /** How the writer takes timestamps in a time zone other than UTC; absent: `iso`. */
  readonly timestamps?: TimestampStyle;
  /**
   * A fresh stream for one export. Writable side: object mode, one row object (keyed by column key) per
   * write. Readable side: Buffers of the encoded file. Both sides have small, bounded buffers and honour
   * backpressure, so `pipeline(rows, writer.createStream(...), upload)` keeps memory flat whatever the
   * row count. Zero rows still produce a complete file (for CSV, the header row).
   */
  createStream(options: CreateStreamOptions): Transform;
  /**
   * A format whose file can be written in chunks says how. Absent: the format runs in one pass (XLSX
   * and PDF, whose files cannot be cut into independently written parts).
   */
  readonly chunked?: ChunkedFormat;
}

/** One piece of a chunked file: bytes the committer writes itself, or the bytes of chunk `chunk`. */
export type FilePart = { readonly literal: Buffer } | { readonly chunk: number };

/**
 * How a format writes one file in chunks: each chunk's rows are encoded on their own (by any worker, in
 * any order), and `assemble` lays out the whole file. The assembled file is byte for byte what
 * `createStream` writes for all the rows in one pass; for a gzipped file (../formats/gzip.ts), one gzip
 * member per part, it decompresses byte for byte to that.
 */
export interface ChunkedFormat {
  /** A stream like `createStream`'s for the rows of one chunk, without what the file has only once. */
  createChunkStream(options: CreateStreamOptions): Transform;
  /** The file's parts in order, given each chunk's row count (a chunk with no rows may be left out). */
  assemble(chunkRows: readonly number[], options: CreateStreamOptions): FilePart[];
}

/** The parts of a file whose chunks are simply joined, after a `head` (e.g. CSV's header row). */
export function joinedParts(chunkRows: readonly number[], head?: Buffer): FilePart[] {
  const parts: FilePart[] = head && head.length > 0 ? [{ literal: head }] : [];
  chunkRows.forEach((rows, chunk) => {
    if (rows > 0) parts.push({ chunk });
  });
  return parts;
}

/** Rows buffered on a writer's writable side before `write()` returns false. */
export const ROW_HIGH_WATER_MARK = 64;
/** Bytes buffered on a writer's readable side before it stops pulling rows. */
export const BYTE_HIGH_WATER_MARK = 64 * 1024;

const MAX_PART_LENGTH = 80;

/** `value` reduced to `[A-Za-z0-9._-]`: other runs become `-`, no leading/trailing `.`/`-`, bounded length. */
function safePart(value: string, fallback: string): string {
  const cleaned = value
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .slice(0, MAX_PART_LENGTH)
    .replace(/^[.-]+|[.-]+$/g, '');
  return cleaned === '' ? fallback : cleaned;
}

/**
 * A safe download / blob file name: `<reportType>-<reportId>.<extension>`, e.g. `popularity-6f1c….csv`.
 * Only `[A-Za-z0-9._-]`, never starts with a dot, no `..`, no path separators.
 */
export function fileNameFor(reportType: string, reportId: string, extension: string): string {
  // `csv.gz`: each dot-separated part of the extension kept, reduced to letters and digits.
  const ext =
    extension
      .split('.')
      .map((part) => part.replace(/[^A-Za-z0-9]/g, '').toLowerCase())
      .filter((part) => part !== '')
      .join('.') || 'bin';
  return `${safePart(reportType, 'report')}-${safePart(reportId, 'export')}.${ext}`;
}

/** `Content-Disposition` that makes a browser save the file as `fileName` (quotes and line breaks replaced). */
export function attachmentDisposition(fileName: string): string {
  return `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`;
}
