// The export path into Azurite through the real @azure/storage-blob client: rows -> CSV writer -> staged
// blocks committed at the end, the blob's headers, SAS links read with plain fetch, an aborted export
// that leaves the previous file untouched, and the block files of chunked exports (staged blocks, their
// size and ids, a commit that happens once).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobServiceClient, RestError } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { createBlobDownloadLinks } from '../../../src/adapters/blob-download-links';
import { createBlobReportFiles } from '../../../src/adapters/blob-report-files';
import { attachmentDisposition, createCsvWriter } from '../../../src/formats';
import type { Row } from '../../../src/domain/report-types/types';
import { DependencyError, DependencyUnavailableError } from '../../../src/domain/errors';
import { writeExport } from '../../../src/services/export-pipeline';

const CONTAINER = 'reports';
const csv = createCsvWriter();
const blobService = () => BlobServiceClient.fromConnectionString(process.env.BLOB ?? '');
const blobClient = (name: string) => blobService().getContainerClient(CONTAINER).getBlockBlobClient(name);
/** The block size of the adapter's staged blocks. */
const BLOCK = 4 * 1024 * 1024;
const headers = {
  contentType: 'text/csv; charset=utf-8',
  contentDisposition: 'attachment; filename="out.csv"',
};
const id = (label: string) => Buffer.from(label.padEnd(16, '.')).toString('base64');

/** `length` bytes of a pattern that differs from block to block (so bytes in the wrong order show). */
function bytesOf(length: number, seed = 0): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + Math.floor(i / 4096) + seed) % 251;
  return bytes;
}

/** `content` as a stream of pieces of `piece` bytes (not a divisor of the block size). */
const piecesOf = (content: Buffer, piece = 100_003) =>
  Readable.from(
    (function* () {
      for (let at = 0; at < content.length; at += piece) yield content.subarray(at, at + piece);
    })(),
    { objectMode: false },
  );
const columns = [
  { key: 'id', header: 'ID' },
  { key: 'text', header: 'Text' },
];

async function* pages(count: number, pageSize: number, onPage?: (index: number) => Promise<void> | void) {
  for (let page = 0; page < count; page++) {
    await onPage?.(page);
    const rows: Row[] = [];
    for (let i = 0; i < pageSize; i++)
      rows.push({ id: page * pageSize + i, text: `row ${page * pageSize + i}` });
    yield rows;
  }
}

function exportTo(
  name: string,
  source: AsyncIterable<readonly Row[]>,
  signal = new AbortController().signal,
) {
  return writeExport({
    pages: source,
    writer: csv,
    columns,
    files: createBlobReportFiles(blobService(), CONTAINER),
    name,
    headers: { contentType: csv.contentType, contentDisposition: attachmentDisposition('out.csv') },
    signal,
  });
}

describe('export files in Blob Storage (Azurite)', () => {
  it('streams every row into the blob with its content type and disposition', async () => {
    const name = `t/${randomUUID()}/out.csv`;
    // 60,000 rows, ~1 MB: less than one block, written in one request
    const result = await exportTo(name, pages(60, 1000));
    expect(result.rowCount).toBe(60_000);
    const blob = blobService().getContainerClient(CONTAINER).getBlockBlobClient(name);
    const properties = await blob.getProperties();
    expect(properties.contentLength).toBe(result.sizeBytes);
    expect(properties.contentType).toBe('text/csv; charset=utf-8');
    expect(properties.contentDisposition).toBe('attachment; filename="out.csv"');
    const text = (await blob.downloadToBuffer()).toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('ID,Text');
    expect(lines[1]).toBe('0,row 0');
    expect(lines[60_000]).toBe('59999,row 59999');
    expect(lines).toHaveLength(60_002); // header + rows + the empty string after the last CRLF
  });

  it('leaves the previous file intact when an export is aborted midway, and commits nothing new', async () => {
    const name = `t/${randomUUID()}/out.csv`;
    await exportTo(name, pages(1, 3));
    const before = (
      await blobService().getContainerClient(CONTAINER).getBlockBlobClient(name).downloadToBuffer()
    ).toString();

    const controller = new AbortController();
    const aborted = exportTo(
      name,
      pages(1000, 1000, (index) => {
        if (index === 20) controller.abort(new Error('cancelled'));
      }),
      controller.signal,
    );
    await expect(aborted).rejects.toThrow();
    const after = (
      await blobService().getContainerClient(CONTAINER).getBlockBlobClient(name).downloadToBuffer()
    ).toString();
    expect(after).toBe(before);

    const fresh = `t/${randomUUID()}/never.csv`;
    const controller2 = new AbortController();
    await expect(
      exportTo(
        fresh,
        pages(1000, 1000, (index) => {
          if (index === 20) controller2.abort(new Error('cancelled'));
        }),
        controller2.signal,
      ),
    ).rejects.toThrow();
    expect(await blobService().getContainerClient(CONTAINER).getBlockBlobClient(fresh).exists()).toBe(false);
  });

  it('fails the export with the source error and uploads nothing', async () => {
    const name = `t/${randomUUID()}/out.csv`;
    await expect(
      exportTo(
        name,
        pages(100, 1000, (index) => {
          if (index === 5) throw new Error('source broke');
        }),
      ),
    ).rejects.toThrow('source broke');
    expect(await blobService().getContainerClient(CONTAINER).getBlockBlobClient(name).exists()).toBe(false);
  });

  it("fails with the app's own error, never the service's text, when storage refuses the upload", async () => {
    const files = createBlobReportFiles(blobService(), `missing-${randomUUID().slice(0, 8)}`);
    const failure = await writeExport({
      pages: pages(1, 10),
      writer: csv,
      columns,
      files,
      name: `t/${randomUUID()}/out.csv`,
      headers: { contentType: csv.contentType, contentDisposition: attachmentDisposition('out.csv') },
      signal: new AbortController().signal,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyError);
    expect(failure).toMatchObject({ dependency: 'storage', status: 404 });
    expect((failure as Error).message).toBe('The storage refused the operation (status 404).');
    expect((failure as Error).cause).toBeInstanceOf(RestError);
  });

  it('reports an unreachable storage service as unavailable', async () => {
    const unreachable = new BlobServiceClient('http://127.0.0.1:9/devstoreaccount1', undefined, {
      retryOptions: { maxTries: 1 },
    });
    const failure = await createBlobReportFiles(unreachable, CONTAINER)
      .delete('t/x/out.csv')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect((failure as Error).message).toBe('The storage is unavailable at the moment.');
  });

  it('deletes a file, and deleting a missing one is no error', async () => {
    const name = `t/${randomUUID()}/out.csv`;
    await exportTo(name, pages(1, 1));
    const files = createBlobReportFiles(blobService(), CONTAINER);
    await files.delete(name);
    await files.delete(name);
    expect(await blobService().getContainerClient(CONTAINER).getBlockBlobClient(name).exists()).toBe(false);
  });

  it('gives SAS links that read exactly that blob until they expire, and never write', async () => {
    const name = `t/${randomUUID()}/out.csv`;
    await exportTo(name, pages(1, 2));
    const sibling = name.replace('out.csv', 'other.csv');
    await exportTo(sibling, pages(1, 1));

    const link = await createBlobDownloadLinks(blobService(), CONTAINER, 15).create(name, 'out.csv');
    const response = await fetch(link.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ID,Text\r\n0,row 0\r\n1,row 1\r\n');
    expect((await fetch(link.url.replace('out.csv', 'other.csv'))).status).toBe(403);
    const put = await fetch(link.url, {
      method: 'PUT',
      body: 'x',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
    });
    expect(put.status).toBe(403);
    expect((await fetch(link.url, { method: 'DELETE' })).status).toBe(403);

    // A link made 20 minutes ago with a 15-minute lifetime has expired.
    const past = () => new Date(Date.now() - 20 * 60_000);
    const expired = await createBlobDownloadLinks(blobService(), CONTAINER, 15, past).create(name, 'out.csv');
    expect((await fetch(expired.url)).status).toBe(403);
  });
});

describe('uploads in blocks (Azurite)', () => {
  it('commits content past one block from 4 MiB blocks, with the headers, and replaces the earlier file', async () => {
    const name = `t/${randomUUID()}/big.csv`;
    const files = createBlobReportFiles(blobService(), CONTAINER);
    await files.upload(name, piecesOf(bytesOf(1000)), headers, new AbortController().signal);
    const content = bytesOf(2 * BLOCK + 77_777, 3);
    await files.upload(name, piecesOf(content), headers, new AbortController().signal);

    const blob = blobClient(name);
    const list = await blob.getBlockList('committed');
    expect(list.committedBlocks?.map((b) => b.size)).toEqual([BLOCK, BLOCK, 77_777]);
    expect((await blob.downloadToBuffer()).equals(content)).toBe(true);
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe(headers.contentType);
    expect(properties.contentDisposition).toBe(headers.contentDisposition);
  });

  it('writes content of less than a block, and no content at all, as a file of those bytes', async () => {
    const files = createBlobReportFiles(blobService(), CONTAINER);
    const small = `t/${randomUUID()}/small.csv`;
    const content = bytesOf(BLOCK - 1);
    await files.upload(small, piecesOf(content), headers, new AbortController().signal);
    expect((await blobClient(small).downloadToBuffer()).equals(content)).toBe(true);
    expect((await blobClient(small).getProperties()).contentType).toBe(headers.contentType);

    const empty = `t/${randomUUID()}/empty.csv`;
    await files.upload(empty, Readable.from([]), headers, new AbortController().signal);
    const properties = await blobClient(empty).getProperties();
    expect(properties.contentLength).toBe(0);
    expect(properties.contentDisposition).toBe(headers.contentDisposition);
  });
});

describe('block files of chunked exports (Azurite)', () => {
  const files = () => createBlobReportFiles(blobService(), CONTAINER);
  const never = () => new AbortController().signal;

  it('stages content as blocks of 4 MiB (the last one shorter) named by the given ids, and commits nothing', async () => {
    const name = `t/${randomUUID()}/chunked.csv`;
    const content = bytesOf(2 * BLOCK + 123_457);
    const staged = await files().stageBlocks(name, piecesOf(content), (seq) => id(`a-${seq}`), never());
    expect(staged).toEqual({ blocks: 3, sizeBytes: content.length });
    expect(await files().exists(name)).toBe(false);

    const uncommitted = (await blobClient(name).getBlockList('uncommitted')).uncommittedBlocks ?? [];
    expect(
      uncommitted.map((b) => ({ name: b.name, size: b.size })).sort((x, y) => x.name.localeCompare(y.name)),
    ).toEqual([
      { name: id('a-0'), size: BLOCK },
      { name: id('a-1'), size: BLOCK },
      { name: id('a-2'), size: 123_457 },
    ]);

    // Committed in order, the blocks are the content's bytes, block by block.
    expect(await files().commitBlocks(name, [id('a-0'), id('a-1'), id('a-2')], headers)).toBe('committed');
    const committed = (await blobClient(name).getBlockList('committed')).committedBlocks ?? [];
    expect(committed.map((b) => [b.name, b.size])).toEqual([
      [id('a-0'), BLOCK],
      [id('a-1'), BLOCK],
      [id('a-2'), 123_457],
    ]);
    expect((await blobClient(name).downloadToBuffer()).equals(content)).toBe(true);
  });

  it('stages one exact block, and none for no content', async () => {
    const name = `t/${randomUUID()}/exact.csv`;
    const content = bytesOf(BLOCK, 5);
    expect(await files().stageBlocks(name, piecesOf(content), (seq) => id(`e-${seq}`), never())).toEqual({
      blocks: 1,
      sizeBytes: BLOCK,
    });
    expect(await files().stageBlocks(name, Readable.from([]), (seq) => id(`n-${seq}`), never())).toEqual({
      blocks: 0,
      sizeBytes: 0,
    });
    const uncommitted = (await blobClient(name).getBlockList('uncommitted')).uncommittedBlocks ?? [];
    expect(uncommitted.map((b) => [b.name, b.size])).toEqual([[id('e-0'), BLOCK]]);
  });

  it('makes the file appear only at the commit, of the blocks in the order given, with the headers', async () => {
    const name = `t/${randomUUID()}/assembled.csv`;
    const head = Buffer.from('ID,Text\r\n');
    const first = bytesOf(300_000, 1);
    const second = bytesOf(200_000, 2);
    await files().stageBlock(name, id('head'), head, never());
    await files().stageBlocks(name, piecesOf(second), (seq) => id(`second-${seq}`), never());
    await files().stageBlocks(name, piecesOf(first), (seq) => id(`first-${seq}`), never());
    expect(await files().exists(name)).toBe(false);
    expect(await blobClient(name).exists()).toBe(false);

    const order = [id('head'), id('first-0'), id('second-0')];
    expect(await files().commitBlocks(name, order, headers)).toBe('committed');
    expect(await files().exists(name)).toBe(true);
    const blob = blobClient(name);
    expect((await blob.downloadToBuffer()).equals(Buffer.concat([head, first, second]))).toBe(true);
    expect(((await blob.getBlockList('committed')).committedBlocks ?? []).map((b) => b.name)).toEqual(order);
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe(headers.contentType);
    expect(properties.contentDisposition).toBe(headers.contentDisposition);
  });

  it('answers a replayed commit with exists and changes nothing: bytes, etag and headers', async () => {
    const name = `t/${randomUUID()}/once.csv`;
    const content = bytesOf(50_000, 7);
    await files().stageBlocks(name, piecesOf(content), (seq) => id(`c-${seq}`), never());
    expect(await files().commitBlocks(name, [id('c-0')], headers)).toBe('committed');
    const before = await blobClient(name).getProperties();

    // The same commit again, and one of other blocks with other headers: neither changes the file.
    expect(await files().commitBlocks(name, [id('c-0')], headers)).toBe('exists');
    await files().stageBlock(name, id('other'), Buffer.from('other bytes'), never());
    const otherHeaders = { contentType: 'application/json', contentDisposition: 'attachment' };
    expect(await files().commitBlocks(name, [id('other')], otherHeaders)).toBe('exists');

    const after = await blobClient(name).getProperties();
    expect(after.etag).toBe(before.etag);
    expect(after.contentType).toBe(headers.contentType);
    expect(after.contentDisposition).toBe(headers.contentDisposition);
    expect((await blobClient(name).downloadToBuffer()).equals(content)).toBe(true);
  });

  it('stops staging when the signal aborts: rejects, stops reading, and leaves no file', async () => {
    const name = `t/${randomUUID()}/aborted.csv`;
    const controller = new AbortController();
    const piece = bytesOf(64 * 1024);
    let produced = 0;
    let producedAtAbort = 0;
    // Endless content; the signal aborts once 6 MiB were read (more than a block staged).
    const content = new Readable({
      read() {
        produced += piece.length;
        if (produced >= 6 * 1024 * 1024 && !controller.signal.aborted) {
          producedAtAbort = produced;
          controller.abort(new Error('cancelled'));
        }
        this.push(piece);
      },
    });
    const staging = files().stageBlocks(name, content, (seq) => id(`x-${seq}`), controller.signal);
    await expect(staging).rejects.toThrow('cancelled');
    expect(producedAtAbort).toBeGreaterThan(0);
    // Reading stops at once: what the stream had buffered at most, not another block.
    expect(produced - producedAtAbort).toBeLessThan(BLOCK);
    expect(await files().exists(name)).toBe(false);
    expect(await blobClient(name).exists()).toBe(false);
    // Whatever was staged (the first block's request may have been aborted too) stays uncommitted.
    const committed = await blobClient(name)
      .getBlockList('all')
      .then(
        (list) => list.committedBlocks ?? [],
        (error: unknown) => {
          if (error instanceof RestError && error.statusCode === 404) return [];
          throw error;
        },
      );
    expect(committed).toEqual([]);
  });

  it('tells a missing file, and one with only staged blocks, from a committed one', async () => {
    const name = `t/${randomUUID()}/exists.csv`;
    expect(await files().exists(name)).toBe(false);
    await files().stageBlock(name, id('only'), Buffer.from('staged'), never());
    expect(await files().exists(name)).toBe(false);
    await files().commitBlocks(name, [id('only')], headers);
    expect(await files().exists(name)).toBe(true);
  });
});
