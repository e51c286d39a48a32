// Shared helpers for the format writer tests: render rows to bytes, the tricky values every writer must
// carry, and a stalled-consumer probe for backpressure.
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Column, CreateStreamOptions, FormatWriter } from '../../../src/formats';

export type TestRow = Record<string, unknown>;

/** Renders `rows` through a fresh stream of `writer`; also reports how many chunks came out. */
export async function render(
  writer: FormatWriter,
  rows: Iterable<TestRow> | AsyncIterable<TestRow>,
  options: CreateStreamOptions,
): Promise<{ bytes: Buffer; chunks: number }> {
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from(rows, { objectMode: true }),
    writer.createStream(options),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  return { bytes: Buffer.concat(chunks), chunks: chunks.length };
}

/** Text cells every writer must carry through unchanged (or, where a format cannot, in a documented way). */
export const TRICKY_TEXT = [
  'plain',
  'a,b,c',
  'say "hi"',
  '"',
  "it's",
  'line1\nline2',
  'line1\r\nline2',
  'tab\there',
  ' padded ',
  'Beyoncé – Déjà vu',
  '日本語 🎵',
  '=SUM(A1:A2)',
  '<b>&amp;</b>',
  'C:\\path\\',
  '[]{}',
] as const;

export const trickyColumns: Column[] = [
  { key: 'id', header: 'ID' },
  { key: 'text', header: 'Text, "quoted"' },
  { key: 'count', header: 'Count' },
  { key: 'at', header: 'At' },
];

/** One row per tricky text, plus empty, null, missing and large-number rows. */
export function trickyRows(): TestRow[] {
  const rows: TestRow[] = TRICKY_TEXT.map((text, index) => ({
    id: `r${String(index).padStart(2, '0')}`,
    text,
    count: index * 1.5 - 3,
    at: `2024-03-${String(index + 1).padStart(2, '0')}T12:34:56.000Z`,
  }));
  rows.push(
    { id: 'empty', text: '', count: 0, at: '2024-04-01T00:00:00.000Z' },
    { id: 'null', text: null, count: null, at: null },
    { id: 'missing' },
    { id: 'large', text: 'max safe', count: Number.MAX_SAFE_INTEGER, at: '1999-12-31T23:59:59.999Z' },
    { id: 'huge', text: 'big float', count: 1.7976931348623157e308, at: '2038-01-19T03:14:07.000Z' },
    { id: 'tiny', text: 'small', count: -0.000001, at: '1970-01-01T00:00:00.000Z' },
  );
  return rows;
}

/** Rows `r000000`…, generated lazily, counting how many the writer has pulled. */
export function countedRows(
  total: number,
  make: (index: number) => TestRow,
): {
  rows: Iterable<TestRow>;
  pulled: () => number;
} {
  let pulled = 0;
  function* rows(): Generator<TestRow> {
    for (let index = 0; index < total; index++) {
      pulled = index + 1;
      yield make(index);
    }
  }
  return { rows: rows(), pulled: () => pulled };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/**
 * Pipes `total` rows into `writer` with a consumer that reads nothing, waits until the writer stops
 * pulling rows, then reads everything. Returns how many rows had been pulled while nobody read, and
 * the whole file.
 */
export async function stalledPull(
  writer: FormatWriter,
  total: number,
  make: (index: number) => TestRow,
  options: CreateStreamOptions,
): Promise<{ pulledWhileStalled: number; bytes: Buffer }> {
  const source = countedRows(total, make);
  // A consumer that holds 16 KiB and does not read: everything behind it has to wait.
  const stalled = new PassThrough({ highWaterMark: 16 * 1024 });
  const done = pipeline(
    Readable.from(source.rows, { objectMode: true }),
    writer.createStream(options),
    stalled,
  );
  let last = -1;
  let still = 0;
  for (let checks = 0; checks < 200 && still < 4; checks++) {
    await settle();
    still = source.pulled() === last ? still + 1 : 0;
    last = source.pulled();
  }
  const pulledWhileStalled = source.pulled();
  const chunks: Buffer[] = [];
  for await (const chunk of stalled) chunks.push(chunk as Buffer);
  await done;
  return { pulledWhileStalled, bytes: Buffer.concat(chunks) };
}
