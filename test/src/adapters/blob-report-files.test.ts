// The export path into Azurite through the real @azure/storage-blob client: rows -> CSV writer ->
// uploadStream, the blob's headers, SAS links read with plain fetch, and an aborted export that leaves
// the previous file untouched.
import { randomUUID } from 'node:crypto';
import { BlobServiceClient, RestError } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { createBlobDownloadLinks } from '../../../src/adapters/blob-download-links';
import { createBlobReportFiles } from '../../../src/adapters/blob-report-files';
import { attachmentDisposition, createCsvWriter } from '../../../src/domain/formats';
import type { Row } from '../../../src/domain/report-types/types';
import { DependencyError, DependencyUnavailableError } from '../../../src/domain/errors';
import { writeExport } from '../../../src/services/export-pipeline';

const CONTAINER = 'reports';
const csv = createCsvWriter();
const blobService = () => BlobServiceClient.fromConnectionString(process.env.BLOB ?? '');
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
    // 60,000 rows, ~1 MB: several blocks' worth of writer output through uploadStream
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
