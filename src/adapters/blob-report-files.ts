// ReportFiles on a Blob Storage container: an export streams straight into a block blob with
// `uploadStream` (a few fixed-size buffers in flight, whatever the file size). The blob only appears,
// or replaces an earlier one, when the block list is committed at the end: a failed or cancelled upload
// leaves uncommitted blocks that the service discards, never a truncated file.
import type { Readable } from 'node:stream';
import { RestError, type BlobServiceClient } from '@azure/storage-blob';
import type { BlockFiles, FileHeaders, ReportFiles } from '../services/ports';
import { blobError, withTranslatedErrors } from './sdk-errors';

/** Bytes per block staged by uploadStream, and how many blocks are in flight at once. */
const UPLOAD_BLOCK_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;

export function createBlobReportFiles(
  blob: BlobServiceClient,
  containerName: string,
): ReportFiles & BlockFiles {
  const container = blob.getContainerClient(containerName);
  const files: ReportFiles & BlockFiles = {
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

    // A chunk's bytes become blocks of UPLOAD_BLOCK_BYTES (the last one shorter), staged as they fill,
    // with up to UPLOAD_CONCURRENCY in flight: memory stays at a few blocks whatever the chunk size.
    async stageBlocks(
      name: string,
      content: Readable,
      blockId: (seq: number) => string,
      signal: AbortSignal,
    ): Promise<{ blocks: number; sizeBytes: number }> {
      const client = container.getBlockBlobClient(name);
      const inFlight: Promise<unknown>[] = [];
      let blocks = 0;
      let sizeBytes = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const stage = async (body: Buffer) => {
        const seq = blocks++;
        const staged = client.stageBlock(blockId(seq), body, body.length, { abortSignal: signal });
        // Awaited below, in order; the catch only keeps an early failure from going unhandled meanwhile.
        staged.catch(() => undefined);
        inFlight.push(staged);
        if (inFlight.length >= UPLOAD_CONCURRENCY) await inFlight.shift();
      };
      for await (const piece of content) {
        const buffer = piece as Buffer;
        pending.push(buffer);
        pendingBytes += buffer.length;
        sizeBytes += buffer.length;
        while (pendingBytes >= UPLOAD_BLOCK_BYTES) {
          const joined = Buffer.concat(pending);
          await stage(joined.subarray(0, UPLOAD_BLOCK_BYTES));
          const rest = joined.subarray(UPLOAD_BLOCK_BYTES);
          pending = rest.length > 0 ? [rest] : [];
          pendingBytes = rest.length;
        }
      }
      if (pendingBytes > 0) await stage(Buffer.concat(pending));
      await Promise.all(inFlight);
      return { blocks, sizeBytes };
    },

    async stageBlock(name: string, blockId: string, content: Buffer, signal: AbortSignal): Promise<void> {
      await container.getBlockBlobClient(name).stageBlock(blockId, content, content.length, {
        abortSignal: signal,
      });
    },

    async commitBlocks(
      name: string,
      blockIds: readonly string[],
      headers: FileHeaders,
    ): Promise<'committed' | 'exists'> {
      try {
        await container.getBlockBlobClient(name).commitBlockList([...blockIds], {
          blobHTTPHeaders: {
            blobContentType: headers.contentType,
            blobContentDisposition: headers.contentDisposition,
          },
          // Once only: a second commit (a replayed completion) finds the file and changes nothing.
          conditions: { ifNoneMatch: '*' },
        });
        return 'committed';
      } catch (error) {
        if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))
          return 'exists';
        throw error;
      }
    },

    async exists(name: string): Promise<boolean> {
      return container.getBlockBlobClient(name).exists();
    },
  };
  return withTranslatedErrors(files, blobError);
}
