// The in-memory stores, counting what they accept: each report's writes and their bytes (as JSON), the
// writes refused for a stale etag, outbox documents, and chunk writes. For tests and the benchmark that
// show what an export writes, whatever made the writes.
import type { ChunkDocument } from '../../src/domain/chunks';
import type { OutboxDocument, ReportDocument } from '../../src/domain/report';
import type { Stored } from '../../src/services/ports';
import { MemoryChunkStore } from './memory-chunk-store';
import { MemoryReportStore } from './memory-report-store';

export interface WriteTally {
  writes: number;
  bytes: number;
}

const bytesOf = (doc: object): number => Buffer.byteLength(JSON.stringify(doc));

function add(tallies: Map<string, WriteTally>, key: string, doc: object): void {
  const tally = tallies.get(key) ?? { writes: 0, bytes: 0 };
  tally.writes++;
  tally.bytes += bytesOf(doc);
  tallies.set(key, tally);
}

export class CountingReportStore extends MemoryReportStore {
  /** By report id: writes of the report the store accepted. */
  readonly accepted = new Map<string, WriteTally>();
  /** By report id: conditional writes refused because someone wrote first. */
  readonly refused = new Map<string, number>();
  /** By report id: outbox documents created. */
  readonly outbox = new Map<string, WriteTally>();

  override async replace(doc: ReportDocument, etag: string) {
    const result = await super.replace(doc, etag);
    if (result === 'conflict') this.refused.set(doc.id, (this.refused.get(doc.id) ?? 0) + 1);
    else add(this.accepted, doc.id, doc);
    return result;
  }

  override async updateClaimed(
    tenantId: string,
    reportId: string,
    owner: string,
    fields: Partial<ReportDocument>,
  ) {
    const result = await super.updateClaimed(tenantId, reportId, owner, fields);
    if (result !== 'lost') add(this.accepted, reportId, result);
    return result;
  }

  override async addOutbox(outbox: OutboxDocument) {
    const result = await super.addOutbox(outbox);
    if (result === 'created') add(this.outbox, outbox.reportId, outbox);
    return result;
  }
}

export class CountingChunkStore extends MemoryChunkStore {
  /** By report id: chunk documents created or replaced. */
  readonly accepted = new Map<string, WriteTally>();

  override async createMissing(chunks: readonly ChunkDocument[]) {
    for (const chunk of chunks) add(this.accepted, chunk.reportId, chunk);
    await super.createMissing(chunks);
  }

  override async replace(chunk: ChunkDocument, etag: string): Promise<Stored<ChunkDocument> | 'conflict'> {
    const result = await super.replace(chunk, etag);
    if (result !== 'conflict') add(this.accepted, chunk.reportId, chunk);
    return result;
  }
}
