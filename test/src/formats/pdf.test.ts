// The PDF writer, read back with poppler's pdftotext (Debian package poppler-utils).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledFonts, createPdfWriter, pdf, PDF_DEFAULT_MAX_ROWS } from '../../../src/formats/pdf';
import { csv } from '../../../src/formats/csv';
import { getFormat } from '../../../src/formats';
import { writeExport } from '../../../src/services/export-pipeline';
import type { ReportFiles } from '../../../src/services/ports';
import { render, stalledPull, trickyColumns, trickyRows, type TestRow } from './render';

const run = promisify(execFile);
let dir = '';
let files = 0;

beforeAll(async () => {
  try {
    await run('pdftotext', ['-v']);
  } catch {
    throw new Error('pdftotext is missing: install the Debian package poppler-utils');
  }
  dir = await mkdtemp(join(tmpdir(), 'pdf-writer-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function saved(bytes: Buffer): Promise<string> {
  const file = join(dir, `${++files}.pdf`);
  await writeFile(file, bytes);
  return file;
}

/** The text of each page, laid out as on the page (pdftotext -layout). */
async function pages(bytes: Buffer): Promise<string[]> {
  const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', await saved(bytes), '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const all = stdout.split('\f');
  if (all.at(-1)?.trim() === '') all.pop();
  return all;
}

interface Word {
  text: string;
  xMax: number;
  page: number;
}

/** Every word with its right edge, and the page width (pdftotext -bbox). */
async function words(bytes: Buffer): Promise<{ width: number; words: Word[] }> {
  const { stdout } = await run('pdftotext', ['-bbox', '-enc', 'UTF-8', await saved(bytes), '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const width = Number(/<page width="([\d.]+)"/.exec(stdout)?.[1]);
  const found: Word[] = [];
  stdout.split('<page ').forEach((page, index) => {
    for (const match of page.matchAll(
      /<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<\/word>/g,
    )) {
      found.push({ text: match[2] ?? '', xMax: Number(match[1]), page: index });
    }
  });
  return { width, words: found };
}

const lines = (text: string): string[] => text.split('\n');
/** The line holding `needle` (a row's id), or undefined. */
const lineWith = (text: string, needle: RegExp): string | undefined =>
  lines(text).find((line) => needle.test(line));

const simpleRows = (count: number): TestRow[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `row-${String(i).padStart(4, '0')}`,
    text: `text ${i}`,
    count: i * 10,
    at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
  }));

describe('pdf writer', () => {
  it('describes itself, is registered and caps rows at 10,000 by default', () => {
    expect(pdf).toMatchObject({
      name: 'pdf',
      contentType: 'application/pdf',
      fileExtension: 'pdf',
      maxRows: 10_000,
    });
    expect(PDF_DEFAULT_MAX_ROWS).toBe(10_000);
    expect(getFormat('pdf')).toBe(pdf);
    expect(() => createPdfWriter({ maxRows: 0 })).toThrow(RangeError);
  });

  it('prints the title, parameters and generation time, and a paginated table with its header and page number on every page', async () => {
    const rows = simpleRows(150);
    const { bytes } = await render(pdf, rows, {
      columns: trickyColumns,
      title: 'Album popularity',
      parameters: { fromDate: '2024-01-01', toDate: '2024-12-31', genre: 'Jazz', top: 150 },
      generatedAt: new Date('2024-05-01T12:34:56.789Z'),
    });
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pages(bytes);
    expect(text.length).toBeGreaterThanOrEqual(4);
    const [first = ''] = text;
    expect(first).toMatch(/^\s*Album popularity\s*$/m);
    expect(first).toContain('Generated 2024-05-01 12:34:56 UTC');
    for (const parameter of ['fromDate: 2024-01-01', 'toDate: 2024-12-31', 'genre: Jazz', 'top: 150']) {
      expect(first).toContain(parameter);
    }
    text.forEach((page, index) => {
      expect(
        lineWith(page, /^\s*ID\s+Text, "quoted"\s+Count\s+At\s*$/),
        `header on page ${index + 1}`,
      ).toBeDefined();
      expect(page).toMatch(new RegExp(`Page ${index + 1}\\s*$`));
    });
    // Every row, in order, each on a line of its own with all its cells.
    const all = text.join('\n');
    let previous = -1;
    for (const row of rows) {
      const line = lineWith(all, new RegExp(`\\b${row.id as string}\\b`));
      expect(line, `${row.id as string}`).toBeDefined();
      const at = (row.at as string).replace('T', ' ').replace('.000Z', '');
      expect(line).toMatch(
        new RegExp(`${row.id as string}\\s+${row.text as string}\\s+${row.count as number}\\s+${at}`),
      );
      const position = all.indexOf(line ?? '');
      expect(position).toBeGreaterThan(previous);
      previous = position;
    }
    expect(all).toContain('150 rows.');
    expect(all).not.toContain('Only the first');
  });

  it('prints tricky values on one line each, with what its fonts cannot show (CJK, emoji) as "?"', async () => {
    const rows = trickyRows();
    const text = (
      await pages((await render(pdf, rows, { columns: trickyColumns, title: 'Tricky' })).bytes)
    ).join('\n');
    const shown: Record<string, string> = {
      r00: 'plain',
      r01: 'a,b,c',
      r02: 'say "hi"',
      r03: '"',
      r04: "it's",
      r05: 'line1 line2',
      r06: 'line1 line2',
      r07: 'tab here',
      r09: 'Beyoncé – Déjà vu',
      r10: '??? ?',
      r11: '=SUM(A1:A2)',
      r12: '<b>&amp;</b>',
      r13: 'C:\\path\\',
      r14: '[]{}',
    };
    for (const [id, cell] of Object.entries(shown)) {
      const line = lineWith(text, new RegExp(`^\\s*${id}\\b`));
      expect(line, id).toBeDefined();
      expect(line).toContain(cell);
    }
    expect(lineWith(text, /^\s*r08\s+padded\s+/)).toBeDefined();
    expect(
      lineWith(text, /^\s*large\s+max safe\s+9007199254740991\s+1999-12-31 23:59:59\.999\s*$/),
    ).toBeDefined();
    expect(
      lineWith(text, /^\s*huge\s+big float\s+1\.7976931348623157e\+308\s+2038-01-19 03:14:07\s*$/),
    ).toBeDefined();
    expect(lineWith(text, /^\s*tiny\s+small\s+-0\.000001\s+1970-01-01 00:00:00\s*$/)).toBeDefined();
    // Empty, null and missing cells print nothing.
    expect(lineWith(text, /^\s*empty\s+0\s+2024-04-01 00:00:00\s*$/)).toBeDefined();
    expect(lineWith(text, /^\s*null\s*$/)).toBeDefined();
    expect(lineWith(text, /^\s*missing\s*$/)).toBeDefined();
  });

  it('fits the table to the page width, cutting long cells with an ellipsis', async () => {
    const long = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const columns = [
      { key: 'id', header: 'ID' },
      { key: 'a', header: 'A long header that is much wider than its column would ever need to be' },
      { key: 'b', header: 'B' },
      { key: 'c', header: 'C' },
    ];
    const rows = Array.from({ length: 3 }, (_, i) => ({ id: `row${i}`, a: long, b: long, c: i }));
    const { bytes } = await render(pdf, rows, { columns, title: 'Wide' });
    const { width, words: all } = await words(bytes);
    expect(width).toBeCloseTo(841.89, 1);
    for (const word of all) expect(word.xMax, word.text).toBeLessThanOrEqual(width - 36 + 0.5);
    const text = (await pages(bytes)).join('\n');
    const line = lineWith(text, /^\s*row0\b/) ?? '';
    expect(line).toContain('…');
    expect(line).not.toContain('word79');
    expect(line).toMatch(/\b0\s*$/);
  });

  it('sizes columns by their content: no header cut, no column wider than its widest cell', async () => {
    const columns = [
      { key: 'albumId', header: 'Album ID' },
      { key: 'title', header: 'Title' },
      { key: 'rating', header: 'Rating' },
      { key: 'ratedAt', header: 'Rated at' },
    ];
    const rows = Array.from({ length: 5 }, (_, i) => ({
      albumId: `al-00000${i}`,
      title: 'Winter of Forest',
      rating: i + 1,
      ratedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    }));
    const { bytes } = await render(pdf, rows, { columns, title: 'Ratings' });
    const header = lineWith((await pages(bytes))[0] ?? '', /Album ID/) ?? '';
    expect(header).toMatch(/Album ID\s+Title\s+Rating\s+Rated at/);
    expect(header).not.toContain('…');
    // Short columns stay short: the Album ID ends within a few characters of the next column's title,
    // and the table ends long before the page does.
    const { width, words: all } = await words(bytes);
    const albumEnd = all.find((word) => word.text === 'al-000000')?.xMax ?? 0;
    const titleEnd = all.find((word) => word.text === 'Winter')?.xMax ?? 0;
    expect(titleEnd - albumEnd).toBeLessThan(60);
    const times = all.filter((word) => /^00:00:0\d$/.test(word.text));
    expect(times).toHaveLength(5);
    expect(Math.max(...times.map((word) => word.xMax))).toBeLessThan(width / 2);
  });

  it('keeps the closing line on the page of the last rows, never alone on a page of its own', async () => {
    // 31 rows fill the first page to its last row; 65 and 66 the second (the counts a closing line
    // followed onto a page of its own).
    for (const count of [30, 31, 32, 65, 66]) {
      const all = await pages((await render(pdf, simpleRows(count), { columns: trickyColumns })).bytes);
      const last = all.at(-1) ?? '';
      expect(last, `${count} rows`).toContain(`${count} rows.`);
      expect(last, `${count} rows`).toMatch(/row-\d{4}/);
    }
  });

  it('stops at maxRows with a note saying so', async () => {
    const writer = createPdfWriter({ maxRows: 40 });
    expect(writer.maxRows).toBe(40);
    const capped = (
      await pages((await render(writer, simpleRows(55), { columns: trickyColumns })).bytes)
    ).join('\n');
    expect(capped).toContain('row-0039');
    expect(capped).not.toContain('row-0040');
    expect(capped).toContain(
      'Only the first 40 rows are shown: a PDF export stops there, and this report has more.',
    );
    expect(capped).toContain('Export it as CSV, JSON or XLSX to get every row.');

    const exact = (
      await pages((await render(writer, simpleRows(40), { columns: trickyColumns })).bytes)
    ).join('\n');
    expect(exact).toContain('row-0039');
    expect(exact).toContain('40 rows.');
    expect(exact).not.toContain('Only the first');
  });

  it('writes a complete one-page document for zero rows', async () => {
    const text = await pages(
      (await render(pdf, [], { columns: trickyColumns, title: 'Nothing here' })).bytes,
    );
    expect(text).toHaveLength(1);
    expect(text[0]).toContain('Nothing here');
    expect(lineWith(text[0] ?? '', /^\s*ID\s+Text, "quoted"\s+Count\s+At\s*$/)).toBeDefined();
    expect(text[0]).toContain('No rows.');
    expect(text[0]).toMatch(/Page 1\s*$/);
  });

  const dejaVu = [
    '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  ];
  it.skipIf(!dejaVu.every((file) => existsSync(file)))(
    'prints any character its fonts cover when given fonts',
    async () => {
      const [regular = '', bold = ''] = dejaVu;
      const writer = createPdfWriter({ fonts: { regular, bold } });
      const rows = [{ id: 'greek', text: 'Ωμέγα Привет' }];
      const text = (
        await pages((await render(writer, rows, { columns: trickyColumns, title: 'Ünïcødé Ω' })).bytes)
      ).join('\n');
      expect(text).toContain('Ünïcødé Ω');
      expect(lineWith(text, /^\s*greek\b/)).toContain('Ωμέγα Привет');
      // The standard fonts cannot.
      const standard = createPdfWriter({ fonts: 'standard' });
      const plain = (await pages((await render(standard, rows, { columns: trickyColumns })).bytes)).join(
        '\n',
      );
      expect(lineWith(plain, /^\s*greek\b/)).toContain('????? ??????');
    },
  );

  it('embeds Noto Sans by default: Latin Extended, Greek and Cyrillic print as they are', async () => {
    expect(bundledFonts()).toBeDefined();
    const rows = [
      { id: 'latin', text: 'Łódź Őrség Çağrı Škoda' },
      { id: 'greek', text: 'Ωμέγα ελληνικά' },
      { id: 'cyrillic', text: 'Привет, мир' },
      { id: 'cjk', text: '日本語 ok' },
    ];
    const { bytes } = await render(pdf, rows, { columns: trickyColumns, title: 'Ünïcødé Ω Ж' });
    expect(bytes.includes('NotoSans')).toBe(true);
    const text = (await pages(bytes)).join('\n');
    expect(text).toContain('Ünïcødé Ω Ж');
    expect(lineWith(text, /^\s*latin\b/)).toContain('Łódź Őrség Çağrı Škoda');
    expect(lineWith(text, /^\s*greek\b/)).toContain('Ωμέγα ελληνικά');
    expect(lineWith(text, /^\s*cyrillic\b/)).toContain('Привет, мир');
    // What the font lacks falls back to "?", the rest of the cell stays.
    expect(lineWith(text, /^\s*cjk\b/)).toContain('??? ok');
    // The standard fonts, asked for, show none of it.
    const standard = (
      await pages(
        (await render(createPdfWriter({ fonts: 'standard' }), rows, { columns: trickyColumns })).bytes,
      )
    ).join('\n');
    expect(lineWith(standard, /^\s*cyrillic\b/)).toContain('??????, ???');
  });

  it('stops pulling rows while its consumer does not read, then finishes the document', async () => {
    const total = 30_000;
    const writer = createPdfWriter({ maxRows: total });
    const make = (i: number): TestRow => ({ id: `row-${i}`, text: `text ${i}`, count: i, at: null });
    const { pulledWhileStalled, bytes } = await stalledPull(writer, total, make, { columns: trickyColumns });
    expect(pulledWhileStalled).toBeLessThan(total / 3);
    const text = await pages(bytes);
    expect(text.at(-1)).toContain(`${total.toLocaleString('en-US')} rows.`);
  }, 60_000);
});

describe('the export pipeline with a capped format', () => {
  /** Pages of 100 rows, counting how many were read. */
  function source(pageCount: number): { pages: AsyncIterable<TestRow[]>; read: () => number } {
    let read = 0;
    async function* pages(): AsyncGenerator<TestRow[]> {
      for (let page = 0; page < pageCount; page++) {
        read = page + 1;
        yield simpleRows(100).map((row, i) => ({ ...row, id: `row-${page * 100 + i}` }));
      }
    }
    return { pages: pages(), read: () => read };
  }

  const memoryFiles = (): ReportFiles & { bytes: () => Buffer } => {
    let stored = Buffer.alloc(0);
    return {
      async upload(_name: string, content: Readable) {
        const chunks: Buffer[] = [];
        for await (const chunk of content) chunks.push(chunk as Buffer);
        stored = Buffer.concat(chunks);
      },
      delete: () => Promise.resolve(),
      bytes: () => stored,
    };
  };

  const exportWith = (writer: typeof pdf, pages: AsyncIterable<TestRow[]>, files: ReportFiles) =>
    writeExport({
      pages,
      writer,
      columns: trickyColumns,
      title: 'Capped',
      parameters: { fromDate: '2024-01-01' },
      generatedAt: new Date('2024-05-01T00:00:00Z'),
      files,
      name: 'capped.pdf',
      headers: { contentType: writer.contentType, contentDisposition: 'attachment' },
      signal: new AbortController().signal,
    });

  it('stops reading the source one row past the cap and counts the rows in the file', async () => {
    const rows = source(50);
    const files = memoryFiles();
    const result = await exportWith(createPdfWriter({ maxRows: 150 }), rows.pages, files);
    expect(rows.read()).toBe(2);
    expect(result.rowCount).toBe(150);
    expect(result.sizeBytes).toBe(files.bytes().length);
    const text = (await pages(files.bytes())).join('\n');
    expect(text).toContain('Generated 2024-05-01 00:00:00 UTC');
    expect(text).toContain('row-149');
    expect(text).not.toContain('row-150');
    expect(text).toContain('Only the first 150 rows are shown');
  });

  it('reads everything for a format without a cap', async () => {
    const rows = source(5);
    const result = await exportWith(csv, rows.pages, memoryFiles());
    expect(rows.read()).toBe(5);
    expect(result.rowCount).toBe(500);
  });
});
