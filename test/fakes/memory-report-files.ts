// An in-memory ReportFiles for unit tests: like a block blob, a file appears only once its upload has
// read the whole stream; a failed or aborted upload leaves nothing.
import type { Readable } from 'node:stream';
import type { FileHeaders, ReportFiles } from '../../src/services/ports';

export interface StoredFile {
  content: string;
  /** The file's bytes (`content` is them as UTF-8 text). */
  bytes: Buffer;
  headers: FileHeaders;
}

export class MemoryReportFiles implements ReportFiles {
  readonly files = new Map<string, StoredFile>();
  uploads = 0;
  deletes: string[] = [];

  async upload(name: string, content: Readable, headers: FileHeaders, signal: AbortSignal): Promise<void> {
    this.uploads++;
    const chunks: Buffer[] = [];
    for await (const chunk of content) {
      signal.throwIfAborted();
      chunks.push(chunk as Buffer);
    }
    signal.throwIfAborted();
    const bytes = Buffer.concat(chunks);
    this.files.set(name, { content: bytes.toString('utf8'), bytes, headers });
  }

  delete(name: string): Promise<void> {
    this.deletes.push(name);
    this.files.delete(name);
    return Promise.resolve();
  }
}
