// The base of writers whose bytes come from a library that writes on its own schedule (exceljs, pdfkit)
// rather than from the transform callback. Such a library pushes whatever it produces; the writer keeps
// memory bounded by not taking the next row while the readable side is full, and by holding the
// library's own writes until the consumer has read (see `nextRead`).
import { Transform } from 'node:stream';
import { BYTE_HIGH_WATER_MARK, ROW_HIGH_WATER_MARK } from './types';

export abstract class ProducedStream extends Transform {
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
