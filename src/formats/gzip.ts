// gzip for the text formats: a writer whose file is its inner writer's file compressed (`.csv.gz`,
// `application/gzip`). In chunks, every chunk and every framing part is its own gzip member; gzip
// readers (gunzip, Python's gzip, pandas, DuckDB) read concatenated members as one stream, so the joined
// file decompresses to exactly the inner writer's single-pass file (RFC 1952, 2.2).
import { Transform, type TransformCallback } from 'node:stream';
import { constants, createGzip, gzipSync, type Gzip } from 'node:zlib';
import {
  BYTE_HIGH_WATER_MARK,
  ROW_HIGH_WATER_MARK,
  type CreateStreamOptions,
  type FormatWriter,
  type Row,
} from '../domain/format';

/** A fast level: most of the size gain at a fraction of level 9's time (see bench/README.md). */
const GZIP_LEVEL = 1;

const gzipOptions = { level: GZIP_LEVEL, chunkSize: BYTE_HIGH_WATER_MARK, memLevel: 8 } as const;

/** Bytes of the inner writer's output handed to the compressor at once. */
const BATCH_BYTES = 64 * 1024;

/**
 * Rows in, gzip out: the rows go to `inner` (a format's stream), its bytes through a gzip compressor,
 * and the compressed bytes out of this stream's readable side. Backpressure holds at each step: a row is
 * taken only when `inner` has room, `inner` is read only while the compressor takes more, and the
 * compressor is read only while this stream's readable side is below its high-water mark.
 */
class GzipStream extends Transform {
  readonly #inner: Transform;
  readonly #gzip: Gzip;
  #flushed: TransformCallback | undefined;

  constructor(inner: Transform) {
    super({
      writableObjectMode: true,
      writableHighWaterMark: ROW_HIGH_WATER_MARK,
      readableHighWaterMark: BYTE_HIGH_WATER_MARK,
    });
    this.#inner = inner;
    const gzip = createGzip(gzipOptions);
    this.#gzip = gzip;
    // The inner bytes go to the compressor in pieces of about BATCH_BYTES: a writer that pushes one
    // small Buffer per row (CSV) would otherwise cost one compressor call, on the thread pool, per row.
    let batch: Buffer[] = [];
    let batched = 0;
    const send = (): boolean => {
      const bytes = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      return gzip.write(bytes);
    };
    inner.on('data', (chunk: Buffer) => {
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH_BYTES && !send()) {
        inner.pause();
        gzip.once('drain', () => inner.resume());
      }
    });
    inner.on('end', () => {
      if (batched > 0) send();
      gzip.end();
    });
    inner.on('error', (error) => this.destroy(error));
    this.#gzip.on('error', (error) => this.destroy(error));
    this.#gzip.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.#gzip.pause();
    });
    this.#gzip.on('end', () => {
      const callback = this.#flushed;
      this.#flushed = undefined;
      callback?.();
    });
  }

  override _transform(row: Row, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#inner.write(row)) {
      callback();
      return;
    }
    const done = () => {
      this.#inner.off('drain', done);
      this.#inner.off('close', done);
      callback();
    };
    this.#inner.on('drain', done);
    // A destroyed inner stream never drains: the error reaches this stream through 'error'.
    this.#inner.on('close', done);
  }

  override _flush(callback: TransformCallback): void {
    this.#flushed = callback;
    this.#inner.end();
  }

  override _read(size: number): void {
    super._read(size);
    if (this.#gzip.isPaused()) this.#gzip.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner.destroy();
    this.#gzip.destroy();
    callback(error);
  }
}

/** `bytes` as one gzip member (a framing part of a chunked file). */
const member = (bytes: Buffer): Buffer => gzipSync(bytes, { level: GZIP_LEVEL, flush: constants.Z_NO_FLUSH });

/** `writer` with its files gzipped: `<name>.<ext>.gz`, `application/gzip`, chunked when it is. */
export function gzipped(writer: FormatWriter): FormatWriter {
  const chunked = writer.chunked;
  return {
    name: writer.name,
    contentType: 'application/gzip',
    fileExtension: `${writer.fileExtension}.gz`,
    ...(writer.maxRows === undefined ? {} : { maxRows: writer.maxRows }),
    ...(writer.timestamps === undefined ? {} : { timestamps: writer.timestamps }),
    createStream: (options: CreateStreamOptions) => new GzipStream(writer.createStream(options)),
    ...(chunked
      ? {
          chunked: {
            createChunkStream: (options: CreateStreamOptions) =>
              new GzipStream(chunked.createChunkStream(options)),
            assemble: (chunkRows, options) =>
              chunked
                .assemble(chunkRows, options)
                .map((part) => ('literal' in part ? { literal: member(part.literal) } : part)),
          },
        }
      : {}),
  };
}
