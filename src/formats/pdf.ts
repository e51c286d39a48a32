// PDF format writer on pdfkit: a document for reading, not for millions of rows. Landscape A4 with the
// title, the parameters and the generation time, then a table that fits the page width (long cells cut
// with an ellipsis) with its header repeated on every page, and "Page n" at the foot of each page. Each
// page goes out as soon as the next one starts, so memory holds one page whatever the row count. The
// table stops at `maxRows` rows, with a note saying so.
// One cohesive thing, the page layout: its measurements depend on each other too closely to split.
import { readFileSync } from 'node:fs';
import type { TransformCallback } from 'node:stream';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import {
  cellText,
  cellValue,
  columnKinds,
  instantText,
  plainText,
  type CellKind,
  type CellValue,
} from './cells';
import { SampledRowStream } from './produced-stream';
import type { Column, CreateStreamOptions, FormatWriter, Row } from '../domain/format';

/** Rows a PDF export shows by default. */
export const PDF_DEFAULT_MAX_ROWS = 10_000;

export interface PdfOptions {
  /** Rows shown at most; later rows are left out and a note at the end says so. Default 10,000. */
  readonly maxRows?: number;
  /**
   * TrueType/OpenType fonts (file paths or file contents) for the whole document. Left out, the writer
   * embeds Noto Sans (from the @expo-google-fonts/noto-sans package: Latin with its extensions, Greek,
   * Cyrillic and more). `'standard'`: the standard Helvetica fonts, which cover Latin-1 and a few more
   * characters (Windows code page 1252). Either way a character the fonts lack (CJK, emoji…) prints as `?`.
   */
  readonly fonts?: PdfFonts | 'standard';
}

/** A regular and a bold font, as file paths or file contents. */
export interface PdfFonts {
  readonly regular: string | Buffer;
  readonly bold: string | Buffer;
}

/** The fonts embedded by default; undefined when the font package cannot be read (then: standard fonts). */
export function bundledFonts(): PdfFonts | undefined {
  try {
    const file = (weight: string) =>
      readFileSync(require.resolve(`@expo-google-fonts/noto-sans/${weight}/NotoSans_${weight}.ttf`));
    return { regular: file('400Regular'), bold: file('700Bold') };
  } catch {
    return undefined;
  }
}

/** Whether the font in `source` has a glyph for a character: the characters it can show. */
function glyphCoverage(source: string | Buffer): (char: string) => boolean {
  const opened = fontkit.create(typeof source === 'string' ? readFileSync(source) : source);
  const font = 'fonts' in opened ? opened.fonts[0] : opened;
  if (!font) throw new Error('the font collection holds no font');
  const known = new Map<string, boolean>();
  return (char) => {
    let covered = known.get(char);
    if (covered === undefined) {
      covered = font.hasGlyphForCodePoint(char.codePointAt(0) ?? 0);
      known.set(char, covered);
    }
    return covered;
  };
}

const MARGIN = 36;
const FONT_SIZE = 8;
const ROW_HEIGHT = 14;
const PADDING = 4;
const TITLE_SIZE = 16;
const META_SIZE = 9;
const FOOTER_SIZE = 8;
/** Rows looked at (and held) before the table starts, to size its columns. */
const SAMPLE_ROWS = 50;
/** Characters of a cell considered at all: more never fits a landscape page at this font size. */
const MAX_CELL_CHARS = 400;
const MAX_PARAMETERS = 20;
const MAX_PARAMETER_CHARS = 300;
const MIN_COLUMN_WIDTH = 30;
const MAX_COLUMN_WIDTH = 320;
/** How much wider than its sampled content a text column may be, when the page has the room. */
const TEXT_HEADROOM = 0.5;
const HEADER_FILL = '#e6e6e6';
const STRIPE_FILL = '#f5f5f5';
const MUTED = '#555555';
const ELLIPSIS = '…';

/** The characters of Windows code page 1252 above Latin-1's range, which the standard fonts can show. */
const CP1252_EXTRA = new Set(
  [
    0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d,
    0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e,
    0x0178,
  ].map((code) => String.fromCodePoint(code)),
);

const isCp1252 = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRA.has(char);
};

/** One line of text: line breaks and tabs become spaces, other control characters go. */
function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' ').replace(/\p{Cc}/gu, '');
}

interface Settings {
  readonly maxRows: number;
  readonly fonts: PdfFonts | undefined;
  /** The characters the fonts can show. */
  readonly covers: (char: string) => boolean;
}

class PdfStream extends SampledRowStream {
  readonly #doc: PDFKit.PDFDocument;
  readonly #columns: readonly Column[];
  readonly #title: string;
  readonly #maxRows: number;
  readonly #covers: (char: string) => boolean;
  readonly #regular: string;
  readonly #bold: string;
  #kinds: CellKind[] = [];
  #widths: number[] = [];
  #page = 0;
  #y = MARGIN;
  #rows = 0;
  #capped = false;

  constructor(options: CreateStreamOptions, settings: Settings) {
    super(SAMPLE_ROWS);
    this.#columns = options.columns;
    this.#title = oneLine(options.title ?? 'Report');
    this.#maxRows = settings.maxRows;
    const generatedAt = options.generatedAt ?? new Date();
    this.#doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: MARGIN,
      autoFirstPage: false,
      bufferPages: false,
      compress: true,
      info: { Title: this.#title, Creator: 'Report exports', CreationDate: generatedAt },
    });
    this.#covers = settings.covers;
    if (settings.fonts) {
      this.#doc.registerFont('body', settings.fonts.regular);
      this.#doc.registerFont('body-bold', settings.fonts.bold);
      this.#regular = 'body';
      this.#bold = 'body-bold';
    } else {
      this.#regular = 'Helvetica';
      this.#bold = 'Helvetica-Bold';
    }
    this.#doc.on('data', (chunk: Buffer) => this.push(chunk));
    this.#doc.on('error', (error: Error) => this.destroy(error));
    this.#newPage();
    this.#heading(options, generatedAt);
  }

  get #bottom(): number {
    return this.#doc.page.height - MARGIN - FOOTER_SIZE - 8;
  }

  get #tableWidth(): number {
    return this.#doc.page.width - 2 * MARGIN;
  }

  /** Text the fonts can show, on one line, at most MAX_CELL_CHARS characters. */
  #printable(text: string): string {
    const chars = Array.from(oneLine(text));
    const kept = chars.length > MAX_CELL_CHARS ? [...chars.slice(0, MAX_CELL_CHARS), ELLIPSIS] : chars;
    return kept.map((char) => (char === ELLIPSIS || this.#covers(char) ? char : '?')).join('');
  }

  /** `text` cut (with an ellipsis) to `width` points in the current font. */
  #fit(text: string, width: number): string {
    const doc = this.#doc;
    if (doc.widthOfString(text) <= width) return text;
    const chars = Array.from(text);
    let low = 0;
    let high = chars.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (doc.widthOfString(chars.slice(0, mid).join('') + ELLIPSIS) <= width) low = mid;
      else high = mid - 1;
    }
    if (low > 0) return chars.slice(0, low).join('') + ELLIPSIS;
    return doc.widthOfString(ELLIPSIS) <= width ? ELLIPSIS : '';
  }

  #newPage(): void {
    const doc = this.#doc;
    doc.addPage();
    this.#page += 1;
    // The footer sits in the bottom margin: lift the margin while writing it so pdfkit adds no page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const footerY = doc.page.height - MARGIN + 4 - FOOTER_SIZE;
    doc.font(this.#regular).fontSize(FOOTER_SIZE).fillColor(MUTED);
    doc.text(this.#fit(this.#printable(this.#title), this.#tableWidth / 2), MARGIN, footerY, {
      lineBreak: false,
    });
    const label = `Page ${this.#page}`;
    doc.text(label, doc.page.width - MARGIN - doc.widthOfString(label), footerY, { lineBreak: false });
    doc.page.margins.bottom = bottom;
    doc.fillColor('black');
    this.#y = MARGIN;
  }

  /** A line of text at the current position, cut to the table width; advances by `height`. */
  #line(text: string, font: string, size: number, height: number, color = 'black'): void {
    const doc = this.#doc;
    doc.font(font).fontSize(size).fillColor(color);
    doc.text(this.#fit(this.#printable(text), this.#tableWidth), MARGIN, this.#y, { lineBreak: false });
    doc.fillColor('black');
    this.#y += height;
  }

  /** The title, the generation time and the parameters, on the first page. */
  #heading(options: CreateStreamOptions, generatedAt: Date): void {
    this.#line(this.#title, this.#bold, TITLE_SIZE, TITLE_SIZE + 8);
    this.#line(
      `Generated ${instantText(new Date(Math.floor(generatedAt.getTime() / 1000) * 1000))} UTC`,
      this.#regular,
      META_SIZE,
      META_SIZE + 5,
      MUTED,
    );
    const parameters = Object.entries(options.parameters ?? {}).filter(([, value]) => value !== undefined);
    if (parameters.length > 0) {
      this.#line('Parameters', this.#bold, META_SIZE, META_SIZE + 4);
      for (const [name, value] of parameters.slice(0, MAX_PARAMETERS)) {
        const text = plainText(value);
        const shown =
          text.length > MAX_PARAMETER_CHARS ? `${text.slice(0, MAX_PARAMETER_CHARS)}${ELLIPSIS}` : text;
        this.#line(`${name}: ${shown}`, this.#regular, META_SIZE, META_SIZE + 4);
      }
      if (parameters.length > MAX_PARAMETERS) this.#line(ELLIPSIS, this.#regular, META_SIZE, META_SIZE + 4);
    }
    this.#y += 10;
  }

  /**
   * Column widths in points: each column's natural width (header and sampled cells, within bounds), the
   * table no wider than its columns; text columns give up room first when the table is too wide.
   */
  #layout(sample: readonly Row[]): void {
    const doc = this.#doc;
    this.#kinds = columnKinds(this.#columns, sample);
    const natural = this.#columns.map((column, index) => {
      const kind = this.#kinds[index] ?? 'auto';
      doc.font(this.#bold).fontSize(FONT_SIZE);
      let widest = doc.widthOfString(this.#printable(column.header));
      doc.font(this.#regular).fontSize(FONT_SIZE);
      for (const row of sample) {
        widest = Math.max(
          widest,
          doc.widthOfString(this.#printable(cellText(cellValue(row[column.key], kind)))),
        );
      }
      // Rounded up, with a point to spare: a width that is the text's to the last bit would cut it, as the
      // width left for the text (less the padding) can come out a rounding error short of it.
      return Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, Math.ceil(widest) + 1 + 2 * PADDING));
    });
    const flexible = this.#kinds.map((kind) => kind !== 'number' && kind !== 'date');
    const total = natural.reduce((sum, width) => sum + width, 0);
    const flexTotal = natural.reduce((sum, width, index) => sum + (flexible[index] ? width : 0), 0);
    const room = this.#tableWidth;
    if (total <= room) {
      // Each column as wide as its content, a text column with up to half as much again to spare for a
      // longer cell after the sample: a narrow table ends before the page does.
      const spare = Math.min(1, flexTotal > 0 ? (room - total) / flexTotal : 0) * TEXT_HEADROOM;
      this.#widths = natural.map((w, i) => (flexible[i] ? w * (1 + spare) : w));
    } else if (total - flexTotal < room * 0.6 && flexTotal > 0) {
      // Fixed columns (numbers, dates) keep their width; text columns shrink to fit.
      const scale = (room - (total - flexTotal)) / flexTotal;
      this.#widths = natural.map((w, i) => (flexible[i] ? w * scale : w));
    } else {
      this.#widths = natural.map((w) => (w * room) / total);
    }
  }

  /** One table row; numbers are right-aligned. */
  #row(cells: readonly CellValue[] | readonly string[], header: boolean): void {
    const doc = this.#doc;
    if (header || this.#rows % 2 === 0) {
      const width = Math.min(
        this.#widths.reduce((sum, w) => sum + w, 0),
        this.#tableWidth,
      );
      doc
        .rect(MARGIN, this.#y, width, ROW_HEIGHT)
        .fill(header ? HEADER_FILL : STRIPE_FILL)
        .fillColor('black');
    }
    doc.font(header ? this.#bold : this.#regular).fontSize(FONT_SIZE);
    let x = MARGIN;
    const textY = this.#y + (ROW_HEIGHT - FONT_SIZE) / 2;
    this.#columns.forEach((_column, index) => {
      const width = this.#widths[index] ?? MIN_COLUMN_WIDTH;
      const cell = cells[index] ?? null;
      const right = header ? this.#kinds[index] === 'number' : typeof cell === 'number';
      const text = this.#fit(this.#printable(header ? String(cell) : cellText(cell)), width - 2 * PADDING);
      if (text !== '') {
        const at = right ? x + width - PADDING - doc.widthOfString(text) : x + PADDING;
        doc.text(text, at, textY, { lineBreak: false });
      }
      x += width;
    });
    this.#y += ROW_HEIGHT;
  }

  #header(): void {
    this.#row(
      this.#columns.map((column) => column.header),
      true,
    );
  }

  /** Lays the table out from the first rows (column widths), then writes its header and those rows. */
  protected override start(sample: readonly Row[]): void {
    this.#layout(sample);
    if (this.#y + 2 * ROW_HEIGHT > this.#bottom) this.#newPage();
    this.#header();
    for (const row of sample) this.addRow(row);
  }

  /** The height of a closing of `lines` lines, the gap above it included. */
  static #closingHeight(lines: number): number {
    return 6 + lines * (META_SIZE + 4);
  }

  protected override addRow(row: Row): void {
    if (this.#rows >= this.#maxRows) {
      this.#capped = true;
      return;
    }
    // Any row may be the last: a page keeps room below it for the closing (two lines after the row the
    // cap stops at), so the closing never stands alone on a page of its own.
    const closing = PdfStream.#closingHeight(this.#rows + 1 >= this.#maxRows ? 2 : 1);
    if (this.#y + ROW_HEIGHT + closing > this.#bottom) {
      this.#newPage();
      this.#header();
    }
    this.#row(
      this.#columns.map((column, index) => cellValue(row[column.key], this.#kinds[index] ?? 'auto')),
      false,
    );
    this.#rows += 1;
  }

  /** The closing line: how many rows, and why there are no more when the cap cut the table short. */
  #closing(): void {
    const lines =
      this.#rows === 0
        ? ['No rows.']
        : this.#capped
          ? [
              `Only the first ${this.#maxRows.toLocaleString('en-US')} rows are shown: a PDF export stops there, and this report has more.`,
              'Export it as CSV, JSON or XLSX to get every row.',
            ]
          : [`${this.#rows.toLocaleString('en-US')} ${this.#rows === 1 ? 'row' : 'rows'}.`];
    if (this.#y + PdfStream.#closingHeight(lines.length) > this.#bottom) this.#newPage();
    this.#y += 6;
    for (const line of lines)
      this.#line(line, this.#capped ? this.#bold : this.#regular, META_SIZE, META_SIZE + 4);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.startIfSampling();
      this.#closing();
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.#doc.once('end', () => callback());
    this.#doc.end();
  }
}

let defaultFonts: { fonts: PdfFonts | undefined } | undefined;

/** A PDF writer; see {@link PdfOptions}. */
export function createPdfWriter(options: PdfOptions = {}): FormatWriter {
  const maxRows = options.maxRows ?? PDF_DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError('maxRows must be a positive integer');
  let fonts: PdfFonts | undefined;
  if (options.fonts === undefined) {
    defaultFonts ??= { fonts: bundledFonts() };
    fonts = defaultFonts.fonts;
  } else if (options.fonts !== 'standard') {
    fonts = options.fonts;
  }
  const settings: Settings = { maxRows, fonts, covers: fonts ? glyphCoverage(fonts.regular) : isCp1252 };
  return {
    name: 'pdf',
    // Cells have no time zone: a report's timestamps are written as its zone's local times.
    timestamps: 'wall-clock',
    contentType: 'application/pdf',
    fileExtension: 'pdf',
    maxRows,
    createStream: (streamOptions) => new PdfStream(streamOptions, settings),
  };
}

/** The registered PDF writer (10,000 rows, Noto Sans embedded). */
export const pdf: FormatWriter = createPdfWriter();
