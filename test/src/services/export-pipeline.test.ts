// The export pipeline on its own, with in-memory files: rows -> format writer -> sink, the byte count
// whatever way the sink reads, backpressure, the writer's row cap, and how every stage stops when one
// fails or the caller aborts.
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createCsvWriter } from '../../../src/formats/csv';
import type { FormatWriter } from '../../../src/domain/format';
import type { Row } from '../../../src/domain/report-types/types';
import { stageChunk, writeExport } from '../../../src/services/export-pipeline';
import type { ReportFiles } from '../../../src/services/ports';
import { MemoryBlockFiles } from '../../fakes/memory-block-files';
import { MemoryReportFiles } from '../../fakes/memory-report-files';

const csv = createCsvWriter();
const columns = [
  { key: 'id', header: 'ID' },
  { key: 'text', header: 'Text' },
];
const never = () => new AbortController().signal;

/** `count` pages of `size` rows; records how many pages were read and whether the source was closed. */
function source(count: number, size: number, beforePage?: (index: number) => Promise<void> | void) {
  const state = { pagesRead: 0, closed: false };
  async function* pages(): AsyncGenerator<Row[]> {
    try {
      for (let page = 0; page < count; page++) {
        await beforePage?.(page);
        state.pagesRead = page + 1;
        yield Array.from({ length: size }, (_, i) => ({
          id: page * size + i,
          text: `row ${page * size + i}`,
        }));
      }
    } finally {
      state.closed = true;
    }
  }
  return { pages: pages(), state };
}

const csvOf = (rows: number, header = true) =>
  (header ? 'ID,Text\r\n' : '') + Array.from({ length: rows }, (_, i) => `${i},row ${i}\r\n`).join('');

function exportTo(
  files: ReportFiles,
  pages: AsyncIterable<readonly Row[]>,
  signal = never(),
  writer: FormatWriter = csv,
) {
  return writeExport({
    pages,
    writer,
    columns,
    files,
    name: 'out.csv',
    headers: { contentType: writer.contentType, contentDisposition: 'attachment' },
    signal,
  });
}

/** ReportFiles that read the content in a given way and keep the bytes. */
function filesReadingBy(read: (content: Readable) => Promise<Buffer>): ReportFiles & { stored?: Buffer } {
  const files: ReportFiles & { stored?: Buffer } = {
    async upload(_name, content) {
      files.stored = await read(content);
    },
    delete: () => Promise.resolve(),
  };
  return files;
}

describe('writeExport', () => {
  const readers: Record<string, (content: Readable) => Promise<Buffer>> = {
    'async iteration': async (content) => {
      const chunks: Buffer[] = [];
      for await (const chunk of content) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    'async iteration that starts late': async (content) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const chunks: Buffer[] = [];
      for await (const chunk of content) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    "'data' events": (content) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        content.on('data', (chunk: Buffer) => chunks.push(chunk));
        content.once('end', () => resolve(Buffer.concat(chunks)));
        content.once('error', reject);
      }),
    'a pipe into a Writable': async (content) => {
      const chunks: Buffer[] = [];
      await pipeline(
        content,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            chunks.push(chunk);
            setImmediate(callback); // a slow writer: backpressure on the way
          },
        }),
      );
      return Buffer.concat(chunks);
    },
  };
  for (const [way, read] of Object.entries(readers)) {
    it(`writes every row and counts the bytes the sink read, read by ${way}`, async () => {
      const files = filesReadingBy(read);
      const result = await exportTo(files, source(30, 1000).pages);
      expect(result).toEqual({ rowCount: 30_000, truncated: false, sizeBytes: files.stored?.length });
      expect(files.stored?.toString('utf8')).toBe(csvOf(30_000));
    });
  }

  it('writes the header alone for a source without rows', async () => {
    const files = new MemoryReportFiles();
    const result = await exportTo(files, source(0, 0).pages);
    expect(result).toEqual({ rowCount: 0, truncated: false, sizeBytes: 9 });
    expect(files.files.get('out.csv')?.content).toBe('ID,Text\r\n');
  });

  it('reads the source no further ahead than the sink takes the bytes', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const files = filesReadingBy(async (content) => {
      const chunks: Buffer[] = [];
      for await (const chunk of content) {
        chunks.push(chunk as Buffer);
        if (chunks.length === 1) await gate;
      }
      return Buffer.concat(chunks);
    });
    const rows = source(5000, 100);
    const exported = exportTo(files, rows.pages);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // About 64 KiB of CSV (some 50 pages of these rows) waits in the writer; the source waits too.
    expect(rows.state.pagesRead).toBeLessThan(200);
    release();
    expect((await exported).rowCount).toBe(500_000);
    expect(rows.state.pagesRead).toBe(5000);
  });

  it("stops reading the source one row past the writer's cap and closes it", async () => {
    const files = new MemoryReportFiles();
    const rows = source(50, 100);
    const result = await exportTo(files, rows.pages, never(), { ...csv, maxRows: 150 });
    expect(result.rowCount).toBe(150);
    expect(result.truncated).toBe(true);
    expect(rows.state.pagesRead).toBe(2);
    expect(rows.state.closed).toBe(true);
  });

  it("stops every stage when the caller aborts: the source is closed, the sink's signal aborts, nothing is stored", async () => {
    const files = new MemoryReportFiles();
    let sinkSignal: AbortSignal | undefined;
    const recording: ReportFiles = {
      upload: (name, content, headers, signal) => {
        sinkSignal = signal;
        return files.upload(name, content, headers, signal);
      },
      delete: (name) => files.delete(name),
    };
    const controller = new AbortController();
    const rows = source(1000, 100, (index) => {
      if (index === 20) controller.abort(new Error('cancelled'));
    });
    await expect(exportTo(recording, rows.pages, controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
      cause: new Error('cancelled'),
    });
    expect(rows.state.closed).toBe(true);
    expect(rows.state.pagesRead).toBeLessThanOrEqual(21);
    expect(sinkSignal?.aborted).toBe(true);
    expect(files.files.size).toBe(0);
  });

  it('ends at once when the caller aborts while the source is still fetching a page', async () => {
    const files = new MemoryReportFiles();
    const controller = new AbortController();
    const rows = source(10, 100, (index) => {
      if (index === 3) {
        setTimeout(() => controller.abort(new Error('cancelled')), 10);
        return new Promise<void>(() => undefined); // a page that never comes
      }
    });
    await expect(exportTo(files, rows.pages, controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(files.files.size).toBe(0);
  });

  it('fails with the source error, and stores nothing', async () => {
    const files = new MemoryReportFiles();
    const rows = source(100, 100, (index) => {
      if (index === 5) throw new Error('source broke');
    });
    await expect(exportTo(files, rows.pages)).rejects.toThrow('source broke');
    expect(files.files.size).toBe(0);
  });

  it('fails with the sink error, and closes the source', async () => {
    const files = filesReadingBy(async (content) => {
      let chunks = 0;
      for await (const _chunk of content) if (++chunks === 3) throw new Error('storage down');
      return Buffer.alloc(0);
    });
    const rows = source(1000, 100);
    await expect(exportTo(files, rows.pages)).rejects.toThrow('storage down');
    expect(rows.state.closed).toBe(true);
    expect(rows.state.pagesRead).toBeLessThan(1000);
  });

  it('fails with the encoder error, closes the source and stores nothing', async () => {
    const files = new MemoryReportFiles();
    let seen = 0;
    const breaking: FormatWriter = {
      ...csv,
      createStream: () =>
        new Transform({
          writableObjectMode: true,
          transform(row: Row, _encoding, callback) {
            if (++seen === 5000) callback(new Error('cannot encode'));
            else callback(null, `${String(row.id)}\n`);
          },
        }),
    };
    const rows = source(1000, 100);
    await expect(exportTo(files, rows.pages, never(), breaking)).rejects.toThrow('cannot encode');
    expect(rows.state.closed).toBe(true);
    expect(files.files.size).toBe(0);
  });

  it('fails, instead of waiting forever, when the sink returns before the end of the file', async () => {
    const files = filesReadingBy(() => Promise.resolve(Buffer.alloc(0)));
    const rows = source(1000, 100);
    await expect(exportTo(files, rows.pages)).rejects.toThrow('the upload ended before the file did');
    expect(rows.state.closed).toBe(true);
  });
});

describe('stageChunk', () => {
  it("stages the chunk's bytes as blocks named by blockId and counts its rows", async () => {
    const blocks = new MemoryBlockFiles(1000);
    const chunked = csv.chunked;
    if (!chunked) throw new Error('CSV has no chunked mode');
    const staged = await stageChunk({
      pages: source(3, 100).pages,
      stream: chunked.createChunkStream({ columns }),
      blocks,
      name: 'chunked.csv',
      blockId: (seq) => `block-${seq}`,
      signal: never(),
    });
    const bytes = Buffer.byteLength(csvOf(300, false));
    expect(staged).toEqual({ rowCount: 300, sizeBytes: bytes, blocks: Math.ceil(bytes / 1000) });
    const ids = Array.from({ length: staged.blocks }, (_, seq) => `block-${seq}`);
    await blocks.commitBlocks('chunked.csv', ids, {
      contentType: 'text/csv',
      contentDisposition: 'attachment',
    });
    expect(blocks.files.get('chunked.csv')?.content).toBe(csvOf(300, false));
  });

  it('stops when the caller aborts and stages no further', async () => {
    const blocks = new MemoryBlockFiles(1000);
    const chunked = csv.chunked;
    if (!chunked) throw new Error('CSV has no chunked mode');
    const controller = new AbortController();
    const rows = source(1000, 100, (index) => {
      if (index === 10) controller.abort(new Error('lease lost'));
    });
    await expect(
      stageChunk({
        pages: rows.pages,
        stream: chunked.createChunkStream({ columns }),
        blocks,
        name: 'chunked.csv',
        blockId: (seq) => `block-${seq}`,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(rows.state.closed).toBe(true);
    expect(blocks.commits).toEqual([]);
  });
});
