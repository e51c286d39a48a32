// One export of generated `ratings` rows through a format writer with export options, in a process of its
// own, for the memory checks: `node --max-old-space-size=96 --import tsx test/support/export-options-child.ts
// <format> <rows> [gzip] [columns=a,b] [timeZone=Zone]`. The file goes to a sink that only counts its
// bytes; the child prints `{ rows, bytes }` and exits 0 once the whole file went through. An export that
// held its rows or its file would need far more than the heap it is given, and die.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { syntheticRatingPages } from '../../bench/rows';
import { selectColumns, shapedPages, timestampShaper } from '../../src/domain/export-options';
import { ratings } from '../../src/domain/report-types/ratings';
import { getFormat } from '../../src/formats';
import { gzipped } from '../../src/formats/gzip';
import { writeExport } from '../../src/services/export-pipeline';

async function main(): Promise<void> {
  const [formatName = '', count = '', ...flags] = process.argv.slice(2);
  const base = getFormat(formatName);
  const total = Number(count);
  if (!base || !Number.isInteger(total))
    throw new Error(`usage: <format> <rows> [gzip] [columns=..] [timeZone=..]`);
  const option = (name: string) => flags.find((flag) => flag.startsWith(`${name}=`))?.slice(name.length + 1);
  const writer = flags.includes('gzip') ? gzipped(base) : base;
  const columns = selectColumns(ratings.columns, option('columns')?.split(','));
  const shape = timestampShaper(columns, option('timeZone'), writer.timestamps);
  const source = syntheticRatingPages(total);
  let bytes = 0;
  const result = await writeExport({
    pages: shape ? shapedPages(source, shape) : source,
    writer,
    columns,
    title: ratings.title,
    files: {
      upload: (_name, content) =>
        pipeline(
          content,
          new Writable({
            write(chunk: Buffer, _encoding, callback) {
              bytes += chunk.length;
              callback();
            },
          }),
        ),
      delete: () => Promise.resolve(),
    },
    name: 'memory-check',
    headers: { contentType: writer.contentType, contentDisposition: 'attachment' },
    signal: new AbortController().signal,
  });
  process.stdout.write(`${JSON.stringify({ rows: result.rowCount, bytes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
