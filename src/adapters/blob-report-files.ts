// ReportFiles on a Blob Storage container: an export streams straight into a block blob with
// `uploadStream` (a few fixed-size buffers in flight, whatever the file size). The blob only appears,
// or replaces an earlier one, when the block list is committed at the end: a failed or cancelled upload
// leaves uncommitted blocks that the service discards, never a truncated file.
import type { Readable } from 'node:stream';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { FileHeaders, ReportFiles } from '../services/ports';
import { blobError, withTranslatedErrors } from './sdk-errors';

/** Bytes per block staged by uploadStream, and how many blocks are in flight at once. */
export const UPLOAD_BLOCK_BYTES = 4 * 1024 * 1024;
export const UPLOAD_CONCURRENCY = 4;

export function createBlobReportFiles(blob: BlobServiceClient, containerName: string): ReportFiles {
  const container = blob.getContainerClient(containerName);
  const files: ReportFiles = {
    async upload(name: string, content: Readable, headers: FileHeaders, signal: AbortSignal): Promise<void> {
      await container.getBlockBlobClient(name).uploadStream(content, UPLOAD_BLOCK_BYTES, UPLOAD_CONCURRENCY, {
        blobHTTPHeaders: {
          blobContentType: headers.contentType,
          blobContentDisposition: headers.contentDisposition,
        },
        abortSignal: signal,
      });
    },

    async delete(name: string): Promise<void> {
      await container.getBlockBlobClient(name).deleteIfExists({ deleteSnapshots: 'include' });
    },
  };
  return withTranslatedErrors(files, blobError);
}
