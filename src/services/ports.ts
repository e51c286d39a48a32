// The narrow interfaces the services need from storage; adapters implement them.
import type { Readable } from 'node:stream';
import type { ChunkActivity, ChunkDocument, ChunkResult, ChunkTally, ChunkTurn } from '../domain/chunks';
import type { OutboxDocument, ReportDocument, ReportStatus, ReportSummary } from '../domain/report';
import type { WebhookDeliveryDocument, WebhookEndpointDocument } from '../domain/webhooks';

export interface Stored<T> {
  doc: T;
  etag: string;
}

export interface ReportListFilter {
  /** Only this user's reports; omitted for admins (the whole tenant). */
  ownerId?: string;
  status?: ReportStatus;
  reportType?: string;
  format?: string;
}

export interface ReportPage {
  /** The reports as the API shows them (a list reads nothing else of a document). */
  items: ReportSummary[];
  /** Opaque; null when there is no next page. */
  continuationToken: string | null;
}

export interface ReportStore {
  /**
   * Writes the report and its outbox message in ONE transactional batch in the tenant's partition,
   * the report first. 'conflict' when a report with that id already exists (nothing is written).
   */
  createWithOutbox(report: ReportDocument, outbox: OutboxDocument): Promise<'created' | 'conflict'>;
  get(tenantId: string, reportId: string): Promise<Stored<ReportDocument> | undefined>;
  /** An active (Pending/Processing) report of this owner with the same request hash, if any. */
  findActive(tenantId: string, ownerId: string, requestHash: string): Promise<ReportDocument | undefined>;
  // The three counts of places below leave out a report the watchdog re-drove and no worker has claimed
  // since (`redrivenAt` set): a stranded report holds no place beyond the grace period.
  /** How many active (Pending/Processing) reports this owner has in the tenant (the user's quota). */
  countActive(tenantId: string, ownerId: string): Promise<number>;
  /**
   * How many of the tenant's reports are ahead of `report` for a worker: every Processing one, and every
   * Pending one asked before it (earlier `createdAt`, or the same one and a smaller id). Fair scheduling
   * admits `report` while that number is under the tenant's cap.
   */
  countAhead(tenantId: string, report: Pick<ReportDocument, 'id' | 'createdAt'>): Promise<number>;
  /** How many of the tenant's reports are Processing (its exports under way, chunked ones included). */
  countProcessing(tenantId: string): Promise<number>;
  /** The tenant's oldest Pending reports, at most `limit`, in the order they were asked. */
  oldestPending(tenantId: string, limit: number): Promise<ReportDocument[]>;
  /** Newest first. Throws InvalidContinuationTokenError for a token it did not issue for this query. */
  list(
    tenantId: string,
    filter: ReportListFilter,
    pageSize: number,
    continuationToken?: string,
  ): Promise<ReportPage>;
  /**
   * Replaces the report if its etag still matches; 'conflict' when someone changed it meanwhile.
   * A report written with a terminal status has just ended (nothing rewrites a terminal report): its
   * event outbox document (domain `reportEventOutbox`) is written in the same transactional batch.
   * The store does not check the status change (the Cosmos adapter replaces by etag without reading the
   * stored status): a caller that changes the status builds the document with the domain's `transition`,
   * which refuses what the report state machine forbids.
   */
  replace(report: ReportDocument, etag: string): Promise<Stored<ReportDocument> | 'conflict'>;
  /**
   * Sets `fields` on a report only while `owner` holds its claim (status Processing, leaseOwner = owner),
   * leaving every other field (cancelRequested above all) as it is. The updated report, or 'lost' when
   * the claim is no longer this owner's. A `status` among the fields is not checked here either: callers
   * pass them through the domain's `claimedUpdate` (a claimed report is Processing).
   */
  updateClaimed(
    tenantId: string,
    reportId: string,
    owner: string,
    fields: Partial<ReportDocument>,
  ): Promise<ReportDocument | 'lost'>;
  /** Processing reports of every tenant whose lease lapsed before `now`, oldest lease first. */
  findExpiredLeases(now: Date, limit: number): Promise<Stored<ReportDocument>[]>;
  /**
   * Reports of every tenant that may have stopped moving, least recently written first: at most `limit`
   * Pending ones not written since `before`, and at most `limit` chunked exports under way (Processing, a
   * plan, no lease) not written since `before`.
   */
  findStalled(before: Date, limit: number): Promise<Stored<ReportDocument>[]>;
  /** Chunked exports under way (Processing, a plan, no lease) with a cancel asked for, at most `limit`. */
  findCancelling(limit: number): Promise<Stored<ReportDocument>[]>;
  /** Writes an outbox document; 'exists' when one with that id is already there (nothing changes). */
  addOutbox(outbox: OutboxDocument): Promise<'created' | 'exists'>;
}

export interface FileHeaders {
  contentType: string;
  contentDisposition: string;
}

/** Where export files go (the `reports` blob container). */
export interface ReportFiles {
  /** Streams `content` into `name`, replacing any earlier file of that name only once it is complete. */
  upload(name: string, content: Readable, headers: FileHeaders, signal: AbortSignal): Promise<void>;
  /** Deletes the file and any uncommitted upload of it; no error when there is none. */
  delete(name: string): Promise<void>;
}

/** A file written in parts (a chunked export): staged blocks of one block blob, committed once. */
export interface BlockFiles {
  /**
   * Stages `content` as uncommitted blocks of `name`, cut into blocks of a fixed size, named
   * `blockId(0)`, `blockId(1)`, ... Nothing becomes visible: see `commitBlocks`.
   */
  stageBlocks(
    name: string,
    content: Readable,
    blockId: (seq: number) => string,
    signal: AbortSignal,
  ): Promise<{ blocks: number; sizeBytes: number }>;
  /** Stages one small block of bytes the caller has at hand. */
  stageBlock(name: string, blockId: string, content: Buffer, signal: AbortSignal): Promise<void>;
  /**
   * Makes `name` the staged blocks `blockIds`, in that order, with `headers`, unless the file already
   * exists: 'exists' then, and nothing changes (so a repeated commit is harmless).
   */
  commitBlocks(
    name: string,
    blockIds: readonly string[],
    headers: FileHeaders,
  ): Promise<'committed' | 'exists'>;
  /** Whether a committed file of that name exists. */
  exists(name: string): Promise<boolean>;
}

/** The chunk documents of chunked exports, in their report's partition. */
export interface ChunkStore {
  /** Creates each chunk that is not there yet; existing ones are left as they are. */
  createMissing(chunks: readonly ChunkDocument[]): Promise<void>;
  get(tenantId: string, chunkId: string): Promise<Stored<ChunkDocument> | undefined>;
  /** Replaces the chunk if its etag still matches; 'conflict' when someone changed it meanwhile. */
  replace(chunk: ChunkDocument, etag: string): Promise<Stored<ChunkDocument> | 'conflict'>;
  /** Processing chunks of every tenant whose lease lapsed before `now`, oldest lease first. */
  findExpiredLeases(now: Date, limit: number): Promise<Stored<ChunkDocument>[]>;
  /** How many chunks of plan `planId` of the report are Done (one aggregate in the report's partition). */
  countDone(tenantId: string, reportId: string, planId: number): Promise<number>;
  /**
   * The plan's chunks that are not Done, lowest index first, at most `limit`: the chunks a window of
   * `limit` chunks in flight holds (running ones, and waiting ones whose message is out or due).
   */
  notDone(tenantId: string, reportId: string, planId: number, limit: number): Promise<ChunkTurn[]>;
  /** When a chunk of the plan was last written, and how many hold a lease that lapses after `now`. */
  activity(tenantId: string, reportId: string, planId: number, now: Date): Promise<ChunkActivity>;
  /** Chunks Done and rows written by every chunk of the plan so far (the report's live progress). */
  tally(tenantId: string, reportId: string, planId: number): Promise<ChunkTally>;
  /** The result of each Done chunk of the plan, by chunk index. */
  results(tenantId: string, reportId: string, planId: number): Promise<Map<number, ChunkResult>>;
}

export interface DownloadLink {
  url: string;
  expiresAt: string;
}

/** Read-only, single-blob, short-lived download links. */
export interface DownloadLinks {
  create(blobName: string, fileName: string): Promise<DownloadLink>;
}

/** A message as the relay hands it to the broker. */
export interface OutboundMessage {
  messageId: string;
  correlationId: string;
  subject: string;
  applicationProperties: Record<string, string>;
  body: unknown;
  /** Deliver no earlier than this (a retry with backoff). */
  scheduledEnqueueTimeUtc?: Date;
}

export interface MessagePublisher {
  /**
   * Sends all the messages or throws (all-or-nothing for one call). Throws BrokerUnavailableError when
   * the broker itself could not be reached (sending the messages one by one would fail the same way).
   */
  publish(messages: OutboundMessage[]): Promise<void>;
}

export interface OutboxStore {
  markDispatched(doc: OutboxDocument, dispatchedAt: string, ttlSeconds: number): Promise<void>;
  /** Adds one to `attempts`, stores `lastError`, and `nextAttemptAt` (ISO) before which no sweep retries it. */
  recordFailure(doc: OutboxDocument, error: string, nextAttemptAt: string): Promise<void>;
  /**
   * Outbox docs of every tenant not yet dispatched, created at or before `olderThan`, whose
   * `nextAttemptAt` is missing or at or before `now`; oldest first, at most `limit`.
   */
  findUndispatched(olderThan: Date, now: Date, limit: number): Promise<OutboxDocument[]>;
}

/** How far behind the relay is (a metric, and an alert past a few minutes). */
export interface OutboxBacklog {
  /** `createdAt` of the oldest outbox doc of any tenant not yet dispatched; null when there is none. */
  oldestUndispatchedAt(): Promise<string | null>;
}

/** The webhook endpoints of each tenant and the record of their deliveries (in the tenant's partition). */
export interface WebhookStore {
  createEndpoint(endpoint: WebhookEndpointDocument): Promise<void>;
  getEndpoint(tenantId: string, endpointId: string): Promise<Stored<WebhookEndpointDocument> | undefined>;
  /** The tenant's endpoints, oldest first. */
  listEndpoints(tenantId: string): Promise<WebhookEndpointDocument[]>;
  /** Replaces the endpoint if its etag still matches; 'conflict' when someone changed it meanwhile. */
  replaceEndpoint(endpoint: WebhookEndpointDocument, etag: string): Promise<'replaced' | 'conflict'>;
  /** Deletes the endpoint; false when there was none. Its deliveries stay until their retention ends. */
  deleteEndpoint(tenantId: string, endpointId: string): Promise<boolean>;
  getDelivery(tenantId: string, deliveryId: string): Promise<WebhookDeliveryDocument | undefined>;
  /** Writes the delivery record as it is (creating it when it is new). */
  saveDelivery(delivery: WebhookDeliveryDocument): Promise<void>;
  /** The endpoint's deliveries, newest first, at most `limit`. */
  listDeliveries(tenantId: string, endpointId: string, limit: number): Promise<WebhookDeliveryDocument[]>;
}

/** The addresses a host name resolves to (every one of them). */
export type HostResolver = (host: string) => Promise<string[]>;

/** A receiver's answer to one POST, or why none came. */
export interface WebhookResponse {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
}

/**
 * POSTs a signed event: no redirect followed, within a timeout, connecting only to addresses the URL
 * policy allows (checked on every address the host resolves to at connect time).
 */
export type WebhookSender = (
  url: string,
  headers: Record<string, string>,
  body: string,
) => Promise<WebhookResponse>;
