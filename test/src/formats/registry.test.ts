// What every registered format promises, whichever it is.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { attachmentDisposition, fileNameFor, formats } from '../../../src/formats';
import { BYTE_HIGH_WATER_MARK, ROW_HIGH_WATER_MARK } from '../../../src/domain/format';
import { trickyColumns } from './render';

describe.each(formats.map((format) => [format.name, format] as const))('the %s format', (name, format) => {
  it('has a lowercase URL-safe name, a content type and a file extension', () => {
    expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(format.contentType).toMatch(/^[a-z]+\/[a-z0-9.+-]+(; charset=utf-8)?$/);
    expect(format.fileExtension).toMatch(/^[a-z0-9]+$/);
    const file = fileNameFor('popularity', 'abc', format.fileExtension);
    expect(file).toBe(`popularity-abc.${format.fileExtension}`);
    expect(attachmentDisposition(file)).toBe(`attachment; filename="${file}"`);
  });

  it('gives a stream that takes row objects and has small, bounded buffers', () => {
    const stream = format.createStream({ columns: trickyColumns });
    expect(stream.writableObjectMode).toBe(true);
    expect(stream.readableObjectMode).toBe(false);
    expect(stream.writableHighWaterMark).toBe(ROW_HIGH_WATER_MARK);
    expect(stream.readableHighWaterMark).toBe(BYTE_HIGH_WATER_MARK);
    stream.destroy();
  });

  it('stops cleanly when the export is aborted half way', async () => {
    const controller = new AbortController();
    let rows = 0;
    async function* source() {
      for (;;) {
        rows++;
        if (rows === 5_000) controller.abort(new Error('cancelled'));
        yield { id: `r${rows}`, text: 'some text', count: rows, at: '2024-03-01T12:34:56.000Z' };
        // Let the writer's own work (zipping, page output) interleave with the rows.
        if (rows % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const done = pipeline(
      Readable.from(source()),
      format.createStream({ columns: trickyColumns, title: 'Aborted' }),
      new Writable({
        write(_chunk, _encoding, callback) {
          setImmediate(callback);
        },
      }),
      { signal: controller.signal },
    );
    await expect(done).rejects.toThrow();
    expect(rows).toBeLessThan(10_000);
    // Anything the writer still had scheduled runs into a destroyed stream without an uncaught error.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
