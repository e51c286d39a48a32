// The output format registry. Adding a format: one module next to this file plus one line in `formats`.
import { csv } from './csv';
import { json, ndjson } from './json';
import { parquet } from './parquet';
import { pdf } from './pdf';
import type { FormatWriter } from '../domain/format';
import { xlsx } from './xlsx';

export type {
  ChunkedFormat,
  Column,
  ColumnType,
  CreateStreamOptions,
  FilePart,
  FormatWriter,
} from '../domain/format';
export { attachmentDisposition, fileNameFor } from '../domain/format';
export { createCsvWriter, type CsvOptions } from './csv';
export { createPdfWriter, PDF_DEFAULT_MAX_ROWS, type PdfOptions } from './pdf';
export { createXlsxWriter, EXCEL_MAX_ROWS, type XlsxOptions } from './xlsx';

export const formats: readonly FormatWriter[] = [csv, json, ndjson, xlsx, pdf, parquet];

const byName = new Map(formats.map((format) => [format.name, format]));

/** The format called `name` (exact, lowercase), or undefined (also for names like `constructor`). */
export function getFormat(name: string): FormatWriter | undefined {
  return byName.get(name);
}

/** Names of every registered format, in registry order. */
export const formatNames: readonly string[] = formats.map((format) => format.name);
