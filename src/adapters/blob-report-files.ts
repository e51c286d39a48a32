// ReportFiles on a Blob Storage container: an export streams straight into a block blob, cut into blocks
// of a fixed size that are staged as they fill (a few buffers in flight, reused, whatever the file size).
// The blob only appears, or replaces an earlier one, when the block list is committed at the end: a
// failed or cancelled upload leaves uncommitted blocks that the service discards, never a truncated file.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { RestError, type BlobServiceClient, type BlockBlobClient } from '@azure/storage-blob';
import type { BlockFiles, FileHeaders, ReportFiles } from '../services/ports';
import { blobError, withTranslatedErrors } from './sdk-errors';

/** Bytes per staged block, and how many blocks are staged at once. */
const UPLOAD_BLOCK_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;
/** Block buffers kept for the next upload once one is done (the most one upload uses at once). */
const IDLE_BUFFERS = UPLOAD_CONCURRENCY + 1;

/**
 * The id of block `seq` of one upload: the upload's own prefix and the number, 48 characters in base64,
 * as the SDK's `uploadStream` names them (every block id of a blob must have the same length).
 */
function uploadBlockId(prefix: string, seq: number): string {
  return Buffer.from(`${prefix}${String(seq).padStart(48 - prefix.length, '0')}`, 'utf8').toString('base64');
}

/** Block-sized buffers, reused from one block (and one upload) to the next. */
class BlockBuffers {
  readonly #idle: Buffer[] = [];

  take(): Buffer {
    return this.#idle.pop() ?? Buffer.allocUnsafeSlow(UPLOAD_BLOCK_BYTES);
  }

  give(buffer: Buffer): void {
    if (this.#idle.length < IDLE_BUFFERS) this.#idle.push(buffer);
  }
}

interface BlockSink {
  /** Stages block `seq`; `bytes` is a view of a reused buffer, valid until the returned promise settles. */
  stage(seq: number, bytes: Buffer): Promise<unknown>;
  /** When the whole content fits in one block (none staged yet), writes it this way instead. */
  whole?(bytes: Buffer): Promise<unknown>;
}

/**
 * Copies `content` into blocks of UPLOAD_BLOCK_BYTES (the last one shorter; none for no bytes) and stages
 * each as soon as it is full, with up to UPLOAD_CONCURRENCY in flight; resolves once every block is
 * staged. Stops reading when `signal` aborts. On a failure (of the content, of a block, or the abort) it
 * waits for the blocks in flight to settle, then throws: nothing is left running.
 */
async function stageInBlocks(
  content: Readable,
  buffers: BlockBuffers,
  sink: BlockSink,
  signal: AbortSignal,
): Promise<{ blocks: number; sizeBytes: number }> {
  const inFlight: Promise<unknown>[] = [];
  let blocks = 0;
  let sizeBytes = 0;
  // The block being filled; once handed to `send`, its buffer goes back when its request settles.
  let block = buffers.take();
  let holding = true;
  let filled = 0;
  const send = async (bytes: Buffer, buffer: Buffer, write: (bytes: Buffer) => Promise<unknown>) => {
    const staged = write(bytes).finally(() => buffers.give(buffer));
    // Awaited below, in order; the catch only keeps an early failure from going unhandled meanwhile.
    staged.catch(() => undefined);
    inFlight.push(staged);
    if (inFlight.length >= UPLOAD_CONCURRENCY) await inFlight.shift();
  };
  try {
    for await (const piece of content) {
      signal.throwIfAborted();
      const chunk = piece as Buffer;
      sizeBytes += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        const copied = chunk.copy(block, filled, offset);
        filled += copied;
        offset += copied;
        if (filled === UPLOAD_BLOCK_BYTES) {
          const full = block;
          block = buffers.take();
          filled = 0;
          const seq = blocks++;
          await send(full, full, (bytes) => sink.stage(seq, bytes));
        }
      }
    }
    holding = false;
    const last = block.subarray(0, filled);
    if (blocks === 0 && sink.whole) {
      await send(last, block, (bytes) => (sink.whole as (bytes: Buffer) => Promise<unknown>)(bytes));
    } else if (filled > 0) {
      const seq = blocks++;
      await send(last, block, (bytes) => sink.stage(seq, bytes));
    } else {
      buffers.give(block);
    }
    await Promise.all(inFlight);
    return { blocks, sizeBytes };
  } catch (error) {
    await Promise.allSettled(inFlight);
    throw error;
  } finally {
    if (holding) buffers.give(block);
  }
}

export function createBlobReportFiles(
  blob: BlobServiceClient,
  containerName: string,
): ReportFiles & BlockFiles {
  const container = blob.getContainerClient(containerName);
  const buffers = new BlockBuffers();
  const httpHeaders = (headers: FileHeaders) => ({
    blobContentType: headers.contentType,
    blobContentDisposition: headers.contentDisposition,
  });
  const stageBlockOf =
    (client: BlockBlobClient, id: (seq: number) => string, signal: AbortSignal) =>
    (seq: number, bytes: Buffer) =>
      client.stageBlock(id(seq), bytes, bytes.length, { abortSignal: signal });

  const files: ReportFiles & BlockFiles = {
    // Staged blocks of this upload's own ids, committed (replacing any earlier blob) only once the content
    // has ended and nothing aborted; content of one block or less is written in one request instead.
    async upload(name: string, content: Readable, headers: FileHeaders, signal: AbortSignal): Promise<void> {
      const client = container.getBlockBlobClient(name);
      const prefix = randomUUID();
      const id = (seq: number) => uploadBlockId(prefix, seq);
      let whole = false;
      const { blocks } = await stageInBlocks(
        content,
        buffers,
        {
          stage: stageBlockOf(client, id, signal),
          whole: async (bytes) => {
            // Nothing is written once the caller has aborted, even if the content ended meanwhile.
            signal.throwIfAborted();
            whole = true;
            await client.upload(bytes, bytes.length, {
              blobHTTPHeaders: httpHeaders(headers),
              abortSignal: signal,
            });
          },
        },
        signal,
      );
      if (whole) return;
      signal.throwIfAborted();
      await client.commitBlockList(
        Array.from({ length: blocks }, (_, seq) => id(seq)),
        { blobHTTPHeaders: httpHeaders(headers), abortSignal: signal },
      );
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
      return stageInBlocks(content, buffers, { stage: stageBlockOf(client, blockId, signal) }, signal);
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
          blobHTTPHeaders: httpHeaders(headers),
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
