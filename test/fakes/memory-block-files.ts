// In-memory report files with staged blocks, like a block blob: staged blocks stay invisible until a
// commit names them; a commit of a file that exists changes nothing.
import type { Readable } from 'node:stream';
import type { BlockFiles, FileHeaders } from '../../src/services/ports';
import { MemoryReportFiles } from './memory-report-files';

export class MemoryBlockFiles extends MemoryReportFiles implements BlockFiles {
  /** Staged blocks by blob name, then block id. */
  readonly staged = new Map<string, Map<string, Buffer>>();
  commits: { name: string; outcome: 'committed' | 'exists' }[] = [];
  readonly blockBytes: number;

  constructor(blockBytes = 64) {
    super();
    this.blockBytes = blockBytes;
  }

  #blocksOf(name: string): Map<string, Buffer> {
    let blocks = this.staged.get(name);
    if (!blocks) this.staged.set(name, (blocks = new Map<string, Buffer>()));
    return blocks;
  }

  async stageBlocks(
    name: string,
    content: Readable,
    blockId: (seq: number) => string,
    signal: AbortSignal,
  ): Promise<{ blocks: number; sizeBytes: number }> {
    let pending = Buffer.alloc(0);
    let blocks = 0;
    let sizeBytes = 0;
    for await (const piece of content) {
      signal.throwIfAborted();
      pending = Buffer.concat([pending, piece as Buffer]);
      sizeBytes += (piece as Buffer).length;
      while (pending.length >= this.blockBytes) {
        this.#blocksOf(name).set(blockId(blocks++), pending.subarray(0, this.blockBytes));
        pending = pending.subarray(this.blockBytes);
      }
    }
    if (pending.length > 0) this.#blocksOf(name).set(blockId(blocks++), pending);
    return { blocks, sizeBytes };
  }

  stageBlock(name: string, blockId: string, content: Buffer): Promise<void> {
    this.#blocksOf(name).set(blockId, Buffer.from(content));
    return Promise.resolve();
  }

  commitBlocks(
    name: string,
    blockIds: readonly string[],
    headers: FileHeaders,
  ): Promise<'committed' | 'exists'> {
    if (this.files.has(name)) {
      this.commits.push({ name, outcome: 'exists' });
      return Promise.resolve('exists');
    }
    const blocks = this.#blocksOf(name);
    const parts = blockIds.map((id) => {
      const block = blocks.get(id);
      if (!block) throw new Error(`block ${id} of ${name} was never staged`);
      return block;
    });
    const bytes = Buffer.concat(parts);
    this.files.set(name, { content: bytes.toString('utf8'), bytes, headers });
    this.staged.delete(name);
    this.commits.push({ name, outcome: 'committed' });
    return Promise.resolve('committed');
  }

  exists(name: string): Promise<boolean> {
    return Promise.resolve(this.files.has(name));
  }
}
