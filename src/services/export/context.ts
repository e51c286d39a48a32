// What every step of the export worker shares: its dependencies and settings, resolved once, and the
// writes that end a report.
import { randomUUID } from 'node:crypto';
import { blobNameFor } from '../../domain/blob-name';
import { attachmentDisposition, fileNameFor, type FormatWriter } from '../../domain/format';
import { getFormat } from '../../formats';
import { gzipped } from '../../formats/gzip';
import {
  transition,
  type ReportDocument,
  type ReportError,
  type ReportFields,
  type ReportStatus,
} from '../../domain/report';
import { builtInReportTypes, type ReportTypeDefinition } from '../../domain/report-types';
import type { SourceData } from '../../domain/report-types/source-data';
import { CONFLICT, retryOnConflict } from '../retry-on-conflict';
import type {
  BlockFiles,
  ChunkStore,
  FileHeaders,
  MessagePublisher,
  ReportFiles,
  ReportStore,
  Stored,
} from '../ports';

export interface WorkerLog {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface ExportWorkerOptions {
  store: ReportStore;
  files: ReportFiles;
  data: SourceData;
  /** Sends the scheduled retry messages (to the same queue). */
  publisher: MessagePublisher;
  /** Chunked exports: the chunk documents and the staged blocks. Without both, every export runs in one pass. */
  chunks?: ChunkStore;
  blocks?: BlockFiles;
  leaseSeconds: number;
  maxAttempts: number;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** Rows a chunk aims at, and the most chunks an export gets (defaults 100,000 and 4,000). */
  chunkTargetRows?: number;
  chunkMaxCount?: number;
  /** Seconds a terminal report is kept (Cosmos TTL). */
  retentionSeconds: number;
  /**
   * Seconds without a write after which the watchdog sends a Pending report's request, or a stalled
   * chunked export's waiting chunks, again (default 120); and how often it does before the report is
   * Failed (default 3). See reconcile.ts.
   */
  reconcileGraceSeconds?: number;
  maxRedrives?: number;
  /** How many reports of each kind (Pending, chunked under way, cancelling) one sweep looks at (100). */
  reconcileBatch?: number;
  /**
   * How often a running export renews its lease, writes progress and looks for a cancel request: a
   * quarter of the lease, at most 4 s, unless told (so a lease outlives three missed beats, and a cancel
   * is seen within 4 s).
   */
  heartbeatMs?: number;
  /** The report type called `name` (default: the built-in types). */
  reportType?: (name: string) => ReportTypeDefinition | undefined;
  format?: (name: string) => FormatWriter | undefined;
  now?: () => Date;
  newId?: () => string;
  random?: () => number;
  /**
   * Fair sharing between tenants (see ../fairness.ts): whether a report may be claimed now, how many
   * chunk messages a chunked export may have out, and who takes the place an ended export frees. Unset:
   * every report is claimed, and a chunked export sends all of its chunks at once.
   */
  share?: TenantShare;
  /** Called once a worker holds the claim on a report, before its export starts (telemetry). */
  onClaimed?: (report: ReportDocument) => void;
}

/** What the worker asks of fair sharing between tenants (implemented by ../fairness.ts). */
export interface TenantShare {
  /** 'deferred' when the tenant has its share running and the request was put back on the queue for later. */
  admit(report: ReportDocument): Promise<'admit' | 'deferred'>;
  /** Chunk messages one chunked export of the tenant may have out now (Infinity: no window). */
  chunkWindowOf(tenantId: string): Promise<number>;
  /** Which of the tenant's Pending reports wait their turn (so a message for each may well be scheduled). */
  waitingOf(tenantId: string): Promise<(report: ReportDocument) => boolean>;
  /** An export of the tenant ended: sends its oldest waiting requests into the freed places. */
  placeFreed(tenantId: string, endedReportId: string): Promise<number>;
}

export type WorkOutcome =
  | 'completed'
  | 'cancelled'
  | 'failed'
  | 'retry-scheduled'
  | 'deferred'
  | 'lease-lost'
  | 'planned'
  | 'chunk-done'
  | 'skipped-missing'
  | 'skipped-terminal'
  | 'skipped-claimed'
  | 'skipped-stale'
  | 'refused-transition';

export const failure = (code: string, message: string): ReportFields => ({
  error: { code, message } satisfies ReportError,
});

/** The longest interval between two heartbeats: a cancel is noticed within it. */
const MAX_HEARTBEAT_MS = 4_000;

/** The heartbeat interval for a lease of `leaseSeconds`: a quarter of it, at most MAX_HEARTBEAT_MS. */
export const heartbeatFor = (leaseSeconds: number): number =>
  Math.max(Math.min(leaseSeconds * 250, MAX_HEARTBEAT_MS), 50);

/** The resolved dependencies and the helpers built on them. */
export class WorkerContext {
  readonly store: ReportStore;
  readonly files: ReportFiles;
  readonly data: SourceData;
  readonly publisher: MessagePublisher;
  readonly chunkStore: ChunkStore | undefined;
  readonly blocks: BlockFiles | undefined;
  readonly heartbeatMs: number;
  readonly chunkTargetRows: number;
  readonly reconcileGraceSeconds: number;
  readonly maxRedrives: number;
  readonly reconcileBatch: number;
  readonly chunkMaxCount: number;
  readonly reportTypeOf: (name: string) => ReportTypeDefinition | undefined;
  readonly formatOf: (name: string) => FormatWriter | undefined;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly random: () => number;

  constructor(readonly options: ExportWorkerOptions) {
    this.store = options.store;
    this.files = options.files;
    this.data = options.data;
    this.publisher = options.publisher;
    this.chunkStore = options.chunks;
    this.blocks = options.blocks;
    this.heartbeatMs = options.heartbeatMs ?? heartbeatFor(options.leaseSeconds);
    this.chunkTargetRows = options.chunkTargetRows ?? 100_000;
    this.reconcileGraceSeconds = options.reconcileGraceSeconds ?? 120;
    this.maxRedrives = options.maxRedrives ?? 3;
    this.reconcileBatch = options.reconcileBatch ?? 100;
    this.chunkMaxCount = options.chunkMaxCount ?? 4_000;
    this.reportTypeOf = options.reportType ?? ((name) => builtInReportTypes.get(name));
    this.formatOf = options.format ?? getFormat;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.random = options.random ?? Math.random;
  }

  leaseUntil(): string {
    return new Date(this.now().getTime() + this.options.leaseSeconds * 1000).toISOString();
  }

  /** Seconds a chunk document is kept: it outlives any export, and goes after the report's retention. */
  get chunkTtlSeconds(): number {
    return this.options.retentionSeconds + 7 * 86_400;
  }

  /** The report ended in `status`; throws InvalidTransitionError when it cannot end so. */
  terminal(doc: ReportDocument, status: ReportStatus, fields: ReportFields = {}): ReportDocument {
    return transition(doc, status, {
      ...fields,
      completedAt: this.now().toISOString(),
      leaseOwner: null,
      leaseExpiresAt: null,
      ttl: this.options.retentionSeconds,
    });
  }

  /** The writer of the report's file: its format's, gzipped when it asks for that. */
  writerOf(doc: ReportDocument): FormatWriter | undefined {
    const writer = this.formatOf(doc.format);
    return writer && doc.compression === 'gzip' ? gzipped(writer) : writer;
  }

  /** The report's file name and blob name, and its headers, when its type and format are known. */
  fileOf(doc: ReportDocument): { fileName: string; blobName: string; headers: FileHeaders } | undefined {
    const type = this.reportTypeOf(doc.reportType);
    const writer = this.writerOf(doc);
    if (!type || !writer) return undefined;
    const fileName = fileNameFor(type.name, doc.id, writer.fileExtension);
    return {
      fileName,
      blobName: blobNameFor(doc, fileName),
      headers: { contentType: writer.contentType, contentDisposition: attachmentDisposition(fileName) },
    };
  }

  /** Deletes whatever (partial) file a report may have; never fails the caller. */
  async discardFile(doc: ReportDocument, log: WorkerLog): Promise<void> {
    const file = this.fileOf(doc);
    if (!file) return;
    try {
      await this.files.delete(file.blobName);
    } catch (error) {
      log.warn(`report ${doc.id}: could not delete its partial file: ${String(error)}`);
    }
  }

  /** Ends an unclaimed report (Pending, or Processing with no live claim) if nobody changed it meanwhile. */
  async endUnclaimed(
    stored: Stored<ReportDocument>,
    status: ReportStatus,
    fields: ReportFields,
  ): Promise<boolean> {
    return (await this.store.replace(this.terminal(stored.doc, status, fields), stored.etag)) !== 'conflict';
  }

  /** Whether chunked exports can run here at all. */
  get canChunk(): boolean {
    return this.chunkStore !== undefined && this.blocks !== undefined;
  }

  /**
   * Applies `change` to the report while `owner` still holds its claim, retrying on concurrent writes
   * (a cancel request). 'lost' when the claim is gone.
   */
  writeClaimed(
    tenantId: string,
    reportId: string,
    owner: string,
    change: (doc: ReportDocument) => ReportDocument,
  ): Promise<ReportDocument | 'lost'> {
    return retryOnConflict(`report ${reportId}`, async () => {
      const stored = await this.store.get(tenantId, reportId);
      if (!stored || stored.doc.status !== 'Processing' || stored.doc.leaseOwner !== owner) return 'lost';
      const result = await this.store.replace(change(stored.doc), stored.etag);
      return result === 'conflict' ? CONFLICT : result.doc;
    });
  }
}
