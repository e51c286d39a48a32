// The export path every format shares: row pages -> format writer -> file upload, all
// streamed with backpressure, so memory stays flat whatever the row count. No Azure types here: the
// upload is whatever ReportFiles is (a block blob in production).
import { EventEmitter } from 'node:events';
import type { Readable, Transform, Writable } from 'node:stream';
import type { Column, FormatWriter } from '../domain/format';
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

interface EncodeInput {
  pages: AsyncIterable<readonly Row[]>;
  /** Rows read at most. */
  limit: number;
  stream: Transform;
  sink: (content: Readable, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
}

/**
 * Rows -> encoder -> sink, with backpressure: the rows are written straight into the encoder (no stream
 * of row objects in between), the sink reads the encoder's bytes, and the bytes are counted as the sink
 * reads them. Every stage stops when one fails or the caller aborts: the source is closed, the encoder
 * destroyed (so the sink's read fails and it commits nothing) and the sink's signal aborted.
 */
async function encodeRows(input: EncodeInput): Promise<{ rowCount: number; sizeBytes: number }> {
  const { stream } = input;
  let rowCount = 0;
  let sizeBytes = 0;
  // Registered on the emitter itself: Readable's own `on('data')` would switch the stream to flowing
  // mode behind the sink's back. 'data' is emitted for every chunk read, however the sink reads.
  const count = (chunk: Buffer) => (sizeBytes += chunk.length);
  EventEmitter.prototype.on.call(stream, 'data', count);

  // One controller stops every stage when any stage fails or the caller aborts.
  const controller = new AbortController();
  let firstError: unknown;
  let failed = false;
  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    firstError = error;
    controller.abort(error);
    if (!stream.destroyed) stream.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  const stopOnCallerAbort = () => fail(abortError(input.signal.reason));
  if (input.signal.aborted) stopOnCallerAbort();
  else input.signal.addEventListener('abort', stopOnCallerAbort, { once: true });
  // Left in place afterwards: a stream destroyed by `fail` emits its error on a later tick.
  stream.on('error', fail);
  try {
    const feed = writeRows(input.pages, input.limit, stream, controller.signal).then((rows) => {
      rowCount = rows;
    }, fail);
    const sink = (async () => input.sink(stream, controller.signal))().then(() => {
      // A sink that stops before the end of the file would leave the rows waiting for room forever.
      if (!stream.readableEnded) fail(new Error('the upload ended before the file did'));
    }, fail);
    await Promise.all([feed, sink]);
  } finally {
    input.signal.removeEventListener('abort', stopOnCallerAbort);
    stream.off('data', count);
  }
  if (failed) throw firstError;
  return { rowCount, sizeBytes };
}

/** The error an export stopped by its caller ends with (as `pipeline` with a signal gives). */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), { name: 'AbortError' });
}

/**
 * Writes the rows of `pages`, at most `limit` of them, into `stream` and ends it; returns how many.
 * A page is awaited once and its rows are written one after the other while the stream has room (no
 * promise per row). The source is read no further than needed, and closed (its `return`) when the rows
 * stop early. Stops with an error when `signal` aborts or the stream is destroyed.
 */
async function writeRows(
  pages: AsyncIterable<readonly Row[]>,
  limit: number,
  stream: Writable,
  signal: AbortSignal,
): Promise<number> {
  const iterator = pages[Symbol.asyncIterator]();
  let count = 0;
  let reading = false;
  let exhausted = false;
  try {
    rows: for (;;) {
      signal.throwIfAborted();
      reading = true;
      const next = await untilAborted(iterator.next(), signal);
      reading = false;
      if (next.done) {
        exhausted = true;
        break;
      }
      for (const row of next.value) {
        if (count >= limit) break rows;
        count++;
        if (!stream.write(row)) await drained(stream);
      }
    }
  } catch (error) {
    // A page still being read when the export stopped is left to finish on its own (the source has the
    // same signal); the source is closed after it.
    const closing = exhausted ? undefined : iterator.return?.();
    if (reading) void closing?.catch(() => undefined);
    else await closing?.catch(() => undefined);
    throw error;
  }
  if (!exhausted) await iterator.return?.();
  signal.throwIfAborted();
  stream.end();
  return count;
}

/** Resolves when `promise` does, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // The pipeline's own signal: its reason is always the Error that stopped the export.
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves when `stream` has room again; rejects if it is (or gets) destroyed first. */
function drained(stream: Writable): Promise<void> {
  const closedEarly = () => stream.errored ?? new Error('the encoder closed before the rows were written');
  if (stream.destroyed) return Promise.reject(closedEarly());
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', closed);
      resolve();
    };
    const closed = () => {
      stream.off('drain', done);
      stream.off('close', closed);
      reject(closedEarly());
    };
    stream.on('drain', done);
    stream.on('close', closed);
  });
}
