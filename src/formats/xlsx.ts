// XLSX format writer on exceljs's streaming workbook writer: every row is committed (written to the
// zip) as it arrives, so the workbook is never held in memory. Each sheet starts with a bold, frozen
// header row; cells are typed (numbers, dates, booleans, text); past the sheet row limit the rows
// continue on a new sheet with the header repeated.
import { stream as excelStream, type Worksheet } from 'exceljs';
import { Writable, type TransformCallback } from 'node:stream';
import { cellValue, columnKinds, plainText, type CellKind, type CellValue } from './cells';
import { SampledRowStream } from './produced-stream';
import {
  BYTE_HIGH_WATER_MARK,
  type Column,
  type CreateStreamOptions,
  type FormatWriter,
  type Row,
} from '../domain/format';

/** Excel's rows per worksheet. */
export const EXCEL_MAX_ROWS = 1_048_576;
/** Excel's characters per cell. */
const EXCEL_MAX_TEXT = 32_767;
/** Excel's characters per sheet name. */
const SHEET_NAME_LENGTH = 31;
/** Rows looked at (and held) before the first is written, to decide column types and widths. */
const SAMPLE_ROWS = 100;
const MIN_WIDTH = 10;
const MAX_WIDTH = 60;
/**
 * Milliseconds included: a spreadsheet that rounds to the shown precision (LibreOffice) would otherwise
 * show 23:59:59.869 as the next day's 00:00:00.
 */
const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss.000';

export interface XlsxOptions {
  /**
   * Rows per worksheet, the header row included; the rows after that continue on a new sheet (named
   * like the first, with ` (2)`, ` (3)`…) that starts with the header again. Default and maximum:
   * Excel's {@link EXCEL_MAX_ROWS}. At least 2.
   */
  readonly maxRowsPerSheet?: number;
}

/**
 * The parts of exceljs 4.4's streaming internals this writer reads to keep memory bounded. A streaming
 * worksheet's `stream` buffers the sheet's XML and hands it, without waiting, to the zip entry streams in
 * `pipes`; a writer that kept adding rows while the compressor (or the consumer behind it) is slower
 * would pile the XML up there. The entry stream is an ordinary Node-style writable: it reports
 * `needDrain` and emits 'drain'.
 */
interface SheetInternals {
  readonly stream?: { readonly pipes?: unknown };
}
interface EntryStream {
  readonly writableNeedDrain?: boolean;
  readonly _writableState?: { readonly needDrain?: boolean };
  once(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
}
interface ZipInternals {
  readonly zip?: { on(event: 'error', listener: (error: Error) => void): unknown; abort?(): unknown };
}

function isEntryStream(value: unknown): value is EntryStream {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { once?: unknown }).once === 'function' &&
    typeof (value as { removeListener?: unknown }).removeListener === 'function'
  );
}

/** The zip entry stream that takes `sheet`'s XML, when the internals are as expected. */
function entryOf(sheet: Worksheet): EntryStream | undefined {
  const pipes = (sheet as unknown as SheetInternals).stream?.pipes;
  const entry: unknown = Array.isArray(pipes) ? pipes[0] : undefined;
  return isEntryStream(entry) ? entry : undefined;
}

const needsDrain = (entry: EntryStream): boolean =>
  entry.writableNeedDrain ?? entry._writableState?.needDrain ?? false;

/** Resolves on 'drain' (or 'close', so a stream that ends early cannot hang the writer). */
function drained(entry: EntryStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      entry.removeListener('drain', done);
      entry.removeListener('close', done);
      resolve();
    };
    entry.once('drain', done);
    entry.once('close', done);
  });
}

/** Characters XML 1.0 cannot hold at all (C0 controls but tab, LF and CR; U+FFFE, U+FFFF). */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * `text` as a cell can hold it: line breaks as LF (Excel's own; XML would turn a CR into one anyway),
 * characters XML cannot carry removed, cut to Excel's cell limit with an ellipsis (never splitting a
 * surrogate pair).
 */
function fitCell(text: string): string {
  const clean = text.replace(/\r\n?/g, '\n').replace(NOT_XML, '');
  if (clean.length <= EXCEL_MAX_TEXT) return clean;
  let end = EXCEL_MAX_TEXT - 1;
  const last = clean.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${clean.slice(0, end)}…`;
}

/** A sheet name Excel accepts: no `[]:*?/\`, not quoted, not `History`, at most 31 characters. */
export function sheetName(title: string | undefined, index: number): string {
  const suffix = index === 1 ? '' : ` (${index})`;
  let base = (title ?? '')
    .replace(/[[\]:*?/\\\p{Cc}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^'+|'+$/g, '');
  if (base === '' || base.toLowerCase() === 'history') base = base === '' ? 'Report' : `${base} report`;
  const room = SHEET_NAME_LENGTH - suffix.length;
  return `${Array.from(base).slice(0, room).join('').trim()}${suffix}`;
}

/** Characters a cell takes on screen, roughly: its longest line. */
function displayLength(cell: CellValue): number {
  if (cell === null) return 0;
  if (cell instanceof Date) return DATE_FORMAT.length;
  const text = typeof cell === 'string' ? cell : String(cell);
  let longest = 0;
  for (const line of text.split(/\r\n|\r|\n/)) longest = Math.max(longest, Array.from(line).length);
  return longest;
}

/** Column widths (in characters) from the header and the sampled cells. */
function columnWidths(
  columns: readonly Column[],
  kinds: readonly CellKind[],
  sample: readonly Row[],
): number[] {
  return columns.map((column, index) => {
    const kind = kinds[index] ?? 'auto';
    let widest = Math.ceil(Array.from(column.header).length * 1.1);
    for (const row of sample) widest = Math.max(widest, displayLength(cellValue(row[column.key], kind)));
    return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + 2));
  });
}

class XlsxStream extends SampledRowStream {
  readonly #columns: readonly Column[];
  readonly #title: string | undefined;
  readonly #maxRowsPerSheet: number;
  readonly #workbook: excelStream.xlsx.WorkbookWriter;
  readonly #sink: Writable;
  #kinds: CellKind[] = [];
  #widths: number[] = [];
  #sheet: Worksheet | undefined;
  #sheetCount = 0;
  /** Rows on the current sheet, the header included. */
  #sheetRows = 0;

  constructor(options: CreateStreamOptions, maxRowsPerSheet: number) {
    super(SAMPLE_ROWS);
    this.#columns = options.columns;
    this.#title = options.title;
    this.#maxRowsPerSheet = maxRowsPerSheet;
    // exceljs writes the zip into this sink, which passes it on to the readable side and, while that is
    // full, holds the zip's writes until the consumer reads.
    this.#sink = new Writable({
      highWaterMark: BYTE_HIGH_WATER_MARK,
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.push(chunk)) callback();
        else this.nextRead().then(() => callback(), callback);
      },
    });
    this.#sink.on('error', (error) => this.destroy(error));
    this.#workbook = new excelStream.xlsx.WorkbookWriter({
      stream: this.#sink,
      useStyles: true,
      useSharedStrings: false,
    });
    const generatedAt = options.generatedAt ?? new Date();
    this.#workbook.creator = 'Report exports';
    this.#workbook.lastModifiedBy = 'Report exports';
    this.#workbook.created = generatedAt;
    this.#workbook.modified = generatedAt;
    if (options.title !== undefined) this.#workbook.title = options.title;
    if (options.parameters !== undefined) this.#workbook.description = plainText(options.parameters);
    (this.#workbook as unknown as ZipInternals).zip?.on('error', (error) => this.destroy(error));
  }

  #startSheet(): Worksheet {
    this.#sheetCount += 1;
    const sheet = this.#workbook.addWorksheet(sheetName(this.#title, this.#sheetCount), {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2' }],
    });
    sheet.columns = this.#columns.map((_column, index) => ({
      width: this.#widths[index] ?? MIN_WIDTH,
      ...(this.#kinds[index] === 'date' ? { style: { numFmt: DATE_FORMAT } } : {}),
    }));
    const header = sheet.addRow(this.#columns.map((column) => fitCell(column.header)));
    header.font = { bold: true };
    header.commit();
    this.#sheet = sheet;
    this.#sheetRows = 1;
    return sheet;
  }

  protected override addRow(row: Row): void {
    let sheet = this.#sheet;
    if (!sheet || this.#sheetRows >= this.#maxRowsPerSheet) {
      sheet?.commit();
      sheet = this.#startSheet();
    }
    const cells = this.#columns.map((column, index) => {
      const cell = cellValue(row[column.key], this.#kinds[index] ?? 'auto');
      return typeof cell === 'string' ? fitCell(cell) : cell;
    });
    const added = sheet.addRow(cells);
    cells.forEach((cell, index) => {
      // A date in a column not typed as dates has no date format from its column.
      if (cell instanceof Date && this.#kinds[index] !== 'date')
        added.getCell(index + 1).numFmt = DATE_FORMAT;
    });
    added.commit();
    this.#sheetRows += 1;
  }

  /** Decides types and widths from the sample and writes the sampled rows. */
  protected override start(sample: readonly Row[]): void {
    this.#kinds = columnKinds(this.#columns, sample);
    this.#widths = columnWidths(this.#columns, this.#kinds, sample);
    for (const row of sample) this.addRow(row);
  }

  /** Whether the next row must wait: the sheet's XML waits for the compressor, or the consumer is behind. */
  protected override mustWait(): boolean {
    const entry = this.#sheet && entryOf(this.#sheet);
    return this.readableFull || (entry !== undefined && needsDrain(entry));
  }

  protected override async room(): Promise<void> {
    while (!this.destroyed) {
      const entry = this.#sheet && entryOf(this.#sheet);
      if (entry && needsDrain(entry)) await drained(entry);
      else if (this.readableFull) await this.nextRead();
      else return;
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.startIfSampling();
      (this.#sheet ?? this.#startSheet()).commit();
    } catch (error) {
      callback(error as Error);
      return;
    }
    // Resolves once the sink has taken the whole zip, i.e. everything is pushed.
    this.#workbook.commit().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      (this.#workbook as unknown as ZipInternals).zip?.abort?.();
    } catch {
      // Already finished or failed: nothing left to stop.
    }
    this.#sink.destroy();
    callback(error);
  }
}

/** An XLSX writer; see {@link XlsxOptions}. */
export function createXlsxWriter(options: XlsxOptions = {}): FormatWriter {
  const maxRowsPerSheet = options.maxRowsPerSheet ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(maxRowsPerSheet) || maxRowsPerSheet < 2 || maxRowsPerSheet > EXCEL_MAX_ROWS) {
    throw new RangeError(`maxRowsPerSheet must be an integer from 2 to ${EXCEL_MAX_ROWS}`);
  }
  return {
    name: 'xlsx',
    // Cells have no time zone: a report's timestamps are written as its zone's local times.
    timestamps: 'wall-clock',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    fileExtension: 'xlsx',
    createStream: (streamOptions) => new XlsxStream(streamOptions, maxRowsPerSheet),
  };
}

/** The registered XLSX writer (Excel's sheet limit). */
export const xlsx: FormatWriter = createXlsxWriter();
