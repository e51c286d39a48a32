// The export path every format shares: row pages -> format writer -> byte counter -> file upload, all
// streamed with backpressure, so memory stays flat whatever the row count. No Azure types here: the
// upload is whatever ReportFiles is (a block blob in production).
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Column, FormatWriter } from '../domain/formats';
import type { Row } from '../domain/report-types/types';
import type { BlockFiles, FileHeaders, ReportFiles } from './ports';

export interface ExportInput {
  pages: AsyncIterable<readonly Row[]>;
  writer: FormatWriter;
  columns: readonly Column[];
  title?: string;
  parameters?: Readonly<Record<string, unknown>>;
  /** When the export was made, for formats that print it. */
  generatedAt?: Date;
  files: ReportFiles;
  /** The file (blob) name. */
  name: string;
  headers: FileHeaders;
  /** Stops the export: the source, the writer and the upload all end, and nothing is committed. */
  signal: AbortSignal;
}

export interface ExportResult {
  /** Rows in the file: every row of the source, or the writer's `maxRows` when it has fewer. */
  rowCount: number;
  /** The source had more rows than the writer's `maxRows`: the file stops there. */
  truncated: boolean;
  sizeBytes: number;
}

/** Rows buffered between the source and the writer. */
const ROW_BUFFER = 256;

export async function writeExport(input: ExportInput): Promise<ExportResult> {
  const encoded = await encodeRows({
    pages: input.pages,
    // A writer with a row limit gets one row past it (to tell that the data goes on), then the source
    // stops: rows it would leave out are not read at all.
    limit: input.writer.maxRows === undefined ? Infinity : input.writer.maxRows + 1,
    stream: input.writer.createStream({
      columns: input.columns,
      ...(input.title === undefined ? {} : { title: input.title }),
      ...(input.parameters === undefined ? {} : { parameters: input.parameters }),
      ...(input.generatedAt === undefined ? {} : { generatedAt: input.generatedAt }),
    }),
    sink: (content, signal) => input.files.upload(input.name, content, input.headers, signal),
    signal: input.signal,
  });
  const cap = input.writer.maxRows ?? Infinity;
  return {
    rowCount: Math.min(encoded.rowCount, cap),
    truncated: encoded.rowCount > cap,
    sizeBytes: encoded.sizeBytes,
  };
}

export interface ChunkInput {
  pages: AsyncIterable<readonly Row[]>;
  /** The format's chunk stream (see FormatWriter.chunked). */
  stream: Transform;
  blocks: BlockFiles;
  /** The blob the blocks belong to, and what each block is called. */
  name: string;
  blockId: (seq: number) => string;
  signal: AbortSignal;
}

export interface ChunkOutput {
  rowCount: number;
  sizeBytes: number;
  blocks: number;
}

/** Encodes one chunk's rows and stages them as uncommitted blocks of the report's blob. */
export async function stageChunk(input: ChunkInput): Promise<ChunkOutput> {
  let blocks = 0;
  const encoded = await encodeRows({
    pages: input.pages,
    limit: Infinity,
    stream: input.stream,
    sink: async (content, signal) => {
      ({ blocks } = await input.blocks.stageBlocks(input.name, content, input.blockId, signal));
    },
    signal: input.signal,
  });
  return { ...encoded, blocks };
}

/**
 * The rows of `pages` as an object stream, at most `limit` of them. A page is awaited once and its rows
 * are pushed synchronously while the buffer has room (no promise per row); the source is read no
 * further than needed, and is closed (its `return`) when the stream ends early or is destroyed.
 */
function rowStream(pages: AsyncIterable<readonly Row[]>, limit: number, onRow: () => void): Readable {
  const iterator = pages[Symbol.asyncIterator]();
  let page: readonly Row[] = [];
  let index = 0;
  let count = 0;
  let waiting = false;
  let finished = false;
  const close = async () => {
    if (finished) return;
    finished = true;
    await iterator.return?.();
  };
  return new Readable({
    objectMode: true,
    highWaterMark: ROW_BUFFER,
    read() {
      if (waiting) return;
      while (index < page.length) {
        if (count >= limit) {
          void close().then(
            () => this.push(null),
            (error: unknown) => this.destroy(error as Error),
          );
          return;
        }
        count++;
        onRow();
        if (!this.push(page[index++])) return;
      }
      waiting = true;
      iterator.next().then(
        (next) => {
          waiting = false;
          if (next.done) {
            finished = true;
            this.push(null);
            return;
          }
          page = next.value;
          index = 0;
          this._read(ROW_BUFFER);
        },
        (error: unknown) => {
          waiting = false;
          finished = true;
          this.destroy(error as Error);
        },
      );
    },
    destroy(error, callback) {
      close().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

interface EncodeInput {
  pages: AsyncIterable<readonly Row[]>;
  /** Rows read at most. */
  limit: number;
  stream: Transform;
  sink: (content: Readable, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
}

/** Rows -> encoder -> byte counter -> sink, with backpressure; every stage stops when one fails. */
async function encodeRows(input: EncodeInput): Promise<{ rowCount: number; sizeBytes: number }> {
  let rowCount = 0;
  let sizeBytes = 0;
  const source = rowStream(input.pages, input.limit, () => rowCount++);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      sizeBytes += chunk.length;
      callback(null, chunk);
    },
  });

  // One controller stops every stage when any stage fails or the caller aborts.
  const controller = new AbortController();
  const stopOnCallerAbort = () => controller.abort(input.signal.reason);
  if (input.signal.aborted) stopOnCallerAbort();
  else input.signal.addEventListener('abort', stopOnCallerAbort, { once: true });
  let firstError: unknown;
  let failed = false;
  const fail = (error: unknown) => {
    if (!failed) {
      failed = true;
      firstError = error;
      controller.abort(error);
    }
  };
  try {
    const encode = pipeline(source, input.stream, counter, { signal: controller.signal, end: true });
    const sink = input.sink(counter, controller.signal);
    await Promise.allSettled([encode.catch(fail), sink.catch(fail)]);
  } finally {
    input.signal.removeEventListener('abort', stopOnCallerAbort);
  }
  if (failed) throw firstError;
  return { rowCount, sizeBytes };
}
