// The export path every format shares: row pages -> format writer -> byte counter -> file upload, all
// streamed with backpressure, so memory stays flat whatever the row count. No Azure types here: the
// upload is whatever ReportFiles is (a block blob in production).
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Column, FormatWriter } from '../domain/formats';
import type { Row } from '../domain/report-types/types';
import type { FileHeaders, ReportFiles } from './ports';

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
  let rowCount = 0;
  let sizeBytes = 0;
  // A writer with a row limit gets one row past it (to tell that the data goes on), then the source
  // stops: rows it would leave out are not read at all.
  const limit = input.writer.maxRows === undefined ? Infinity : input.writer.maxRows + 1;
  async function* rows(): AsyncGenerator<Row> {
    for await (const page of input.pages) {
      for (const row of page) {
        if (rowCount >= limit) return;
        rowCount++;
        yield row;
      }
    }
  }
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
    const encode = pipeline(
      Readable.from(rows(), { objectMode: true, highWaterMark: ROW_BUFFER }),
      input.writer.createStream({
        columns: input.columns,
        ...(input.title === undefined ? {} : { title: input.title }),
        ...(input.parameters === undefined ? {} : { parameters: input.parameters }),
        ...(input.generatedAt === undefined ? {} : { generatedAt: input.generatedAt }),
      }),
      counter,
      { signal: controller.signal, end: true },
    );
    const upload = input.files.upload(input.name, counter, input.headers, controller.signal);
    await Promise.allSettled([encode.catch(fail), upload.catch(fail)]);
  } finally {
    input.signal.removeEventListener('abort', stopOnCallerAbort);
  }
  if (failed) throw firstError;
  const cap = input.writer.maxRows ?? Infinity;
  return { rowCount: Math.min(rowCount, cap), truncated: rowCount > cap, sizeBytes };
}
