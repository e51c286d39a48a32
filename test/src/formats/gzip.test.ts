// The gzip wrapper of a format writer: the same file compressed, with backpressure kept, errors passed
// on, and chunked parts as gzip members that decompress together to the single-pass file.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { getFormat, type Column } from '../../../src/formats';
import { gzipped } from '../../../src/formats/gzip';
import { render, stalledPull, trickyColumns, trickyRows } from './render';

const text = (name: string) => {
  const writer = getFormat(name);
  if (!writer) throw new Error(`no ${name}`);
  return writer;
};

describe('gzipped writers', () => {
  it.each(['csv', 'json', 'ndjson'])('%s: names, type and bytes of the compressed file', async (name) => {
    const plain = text(name);
    const writer = gzipped(plain);
    expect(writer).toMatchObject({ name, contentType: 'application/gzip', fileExtension: `${name}.gz` });
    const options = { columns: trickyColumns };
    const expected = (await render(plain, trickyRows(), options)).bytes;
    const { bytes } = await render(writer, trickyRows(), options);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('1f8b');
    expect(gunzipSync(bytes).equals(expected)).toBe(true);
  });

  it.each(['csv', 'json', 'ndjson'])(
    '%s in parts: each part a gzip member, together the single-pass file',
    async (name) => {
      const plain = text(name);
      const writer = gzipped(plain);
      const chunked = writer.chunked;
      if (!chunked) throw new Error('not chunked');
      const columns = trickyColumns;
      const all = trickyRows();
      const pieces = [all.slice(0, 3), [], all.slice(3)];
      const encoded: Buffer[] = [];
      for (const rows of pieces) {
        const out: Buffer[] = [];
        await pipeline(
          Readable.from(rows, { objectMode: true }),
          chunked.createChunkStream({ columns }),
          new Writable({
            write(chunk: Buffer, _encoding, callback) {
              out.push(chunk);
              callback();
            },
          }),
        );
        encoded.push(Buffer.concat(out));
      }
      const file = Buffer.concat(
        chunked
          .assemble(
            pieces.map((rows) => rows.length),
            { columns },
          )
          .map((part) => ('literal' in part ? part.literal : (encoded[part.chunk] as Buffer))),
      );
      const single = (await render(plain, all, { columns })).bytes;
      expect(gunzipSync(file).equals(single)).toBe(true);
    },
  );

  it('stops pulling rows while its consumer does not read, then finishes the file', async () => {
    const columns: Column[] = [
      { key: 'n', header: 'N' },
      { key: 's', header: 'S' },
    ];
    const total = 200_000;
    const make = (n: number) => ({ n, s: `${n}-${Math.sin(n).toString(36)}` });
    const { pulledWhileStalled, bytes } = await stalledPull(gzipped(text('csv')), total, make, { columns });
    expect(pulledWhileStalled).toBeLessThan(total / 4);
    const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(total + 1);
    expect(lines.at(-1)).toBe(`${total - 1},${make(total - 1).s}`);
  });

  it("fails with the inner writer's error", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(
      render(gzipped(text('json')), [{ a: 1 }, { a: cyclic }], { columns: [{ key: 'a', header: 'A' }] }),
    ).rejects.toThrow(/circular/i);
  });
});
