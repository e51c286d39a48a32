// The base of writers whose bytes come from a library that writes on its own schedule (exceljs, pdfkit)
// rather than from the transform callback. Such a library pushes whatever it produces; the writer keeps
// memory bounded by not taking the next row while the readable side is full, and by holding the
// library's own writes until the consumer has read (see `nextRead`).
import { Transform, type TransformCallback } from 'node:stream';
import { BYTE_HIGH_WATER_MARK, ROW_HIGH_WATER_MARK, type Row } from '../domain/format';

abstract class ProducedStream extends Transform {
  #readWaiters: (() => void)[] = [];

  constructor() {
    super({
      writableObjectMode: true,
      writableHighWaterMark: ROW_HIGH_WATER_MARK,
      readableHighWaterMark: BYTE_HIGH_WATER_MARK,
    });
  }

  /** Whether the readable side holds its high-water mark or more: the consumer is behind. */
  protected get readableFull(): boolean {
    return this.readableLength >= this.readableHighWaterMark;
  }

  /**
   * Resolves when the consumer next asks for data, i.e. once the readable side is below its high-water
   * mark again. Only call it when `readableFull`: a full buffer means bytes were pushed since the last
   * request, so another request follows once the consumer has read them.
   */
  protected nextRead(): Promise<void> {
    return new Promise((resolve) => this.#readWaiters.push(resolve));
  }

  /** Waits while the readable side is full. */
  protected async roomToRead(): Promise<void> {
    while (this.readableFull && !this.destroyed) await this.nextRead();
  }

  override _read(size: number): void {
    super._read(size);
    const waiters = this.#readWaiters;
    this.#readWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * A ProducedStream that holds its first rows back until it has `sampleSize` of them (or the rows end),
 * to decide its layout from them (column types, widths) before it writes anything. After that every row
 * is written as it comes, and the next one is taken only when `mustWait()` says there is room.
 */
export abstract class SampledRowStream extends ProducedStream {
  #sample: Row[] | undefined = [];

  constructor(private readonly sampleSize: number) {
    super();
  }

  /** Called once, with the first rows (fewer, or none, when the export has fewer): lay out, write them. */
  protected abstract start(sample: readonly Row[]): void;
  /** Writes one row after the start. */
  protected abstract addRow(row: Row): void;
  /** Whether the next row must wait; by default while the readable side is full. */
  protected mustWait(): boolean {
    return this.readableFull;
  }
  /** Resolves once there is room for the next row. */
  protected room(): Promise<void> {
    return this.roomToRead();
  }

  /** Starts with the rows held so far, unless already started: for `_flush` when the rows were few. */
  protected startIfSampling(): void {
    const sample = this.#sample;
    if (!sample) return;
    this.#sample = undefined;
    this.start(sample);
  }

  override _transform(row: Row, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (this.#sample) {
        this.#sample.push(row);
        if (this.#sample.length < this.sampleSize) {
          callback();
          return;
        }
        this.startIfSampling();
      } else {
        this.addRow(row);
      }
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (this.mustWait()) this.room().then(() => callback(), callback);
    else callback();
  }
}
