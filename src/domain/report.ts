// The report model: the documents as stored (report and outbox), the status state machine, the lease rule,
// and the fields a list of reports holds. Knows nothing of Azure SDKs; the HTTP resource is made from a
// report in src/http/resource.ts.
import type { ChunkPlanHeader } from './chunks';
import type { ExportOptions } from './export-options';
import { InvalidTransitionError } from './errors';
import type { ChunkRequest, ExportRequest } from './messages';
import type { ReportEventMessage } from './webhooks';

export const REPORT_STATUSES = ['Pending', 'Processing', 'Completed', 'Failed', 'Cancelled'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const ACTIVE_STATUSES: readonly ReportStatus[] = ['Pending', 'Processing'];
export const TERMINAL_STATUSES: readonly ReportStatus[] = ['Completed', 'Failed', 'Cancelled'];

export const isTerminal = (status: ReportStatus): boolean => TERMINAL_STATUSES.includes(status);

// The report lifecycle. Besides Pending -> Processing -> Completed | Failed | Cancelled and
// Pending -> Cancelled, two edges are part of it:
// - Pending -> Failed: a report is given up without running, because its claims are used up
//   (WORKER_MAX_ATTEMPTS reached) or its request message was dead-lettered before a worker claimed it.
// - Processing -> Pending: released for another attempt (a transient failure scheduled a retry, or the
//   watchdog re-queued a report whose worker stopped renewing its lease).
// Nothing leaves a terminal state. Every status write goes through `transition` (or, for a write made
// under a worker's claim, `claimedUpdate`), so an illegal one fails before it reaches the store.
const TRANSITIONS: Record<ReportStatus, readonly ReportStatus[]> = {
  Pending: ['Processing', 'Cancelled', 'Failed'],
  Processing: ['Completed', 'Failed', 'Cancelled', 'Pending'],
  Completed: [],
  Failed: [],
  Cancelled: [],
};

export const canTransition = (from: ReportStatus, to: ReportStatus): boolean =>
  TRANSITIONS[from].includes(to);

/** What a write may set on a report besides its status (its identity and partition never change). */
export type ReportFields = Partial<Omit<ReportDocument, 'id' | 'kind' | 'tenantId' | 'status'>>;

/**
 * The report moved to `to` with `fields` set, as a new document (`doc` is left as it is).
 * Throws InvalidTransitionError when the lifecycle has no such move, terminal states above all.
 */
export function transition(doc: ReportDocument, to: ReportStatus, fields: ReportFields = {}): ReportDocument {
  if (!canTransition(doc.status, to)) throw new InvalidTransitionError(doc.status, to);
  return { ...doc, ...fields, status: to };
}

/**
 * `fields` for a write made under a worker's claim (`ReportStore.updateClaimed`), checked: a claimed
 * report is Processing by definition, so a status among the fields must be a legal move from Processing
 * (Processing itself changes nothing). Throws InvalidTransitionError otherwise.
 */
export function claimedUpdate<T extends Partial<ReportDocument>>(fields: T): T {
  const to = fields.status;
  if (to !== undefined && to !== 'Processing' && !canTransition('Processing', to)) {
    throw new InvalidTransitionError('Processing', to);
  }
  return fields;
}

export interface Progress {
  /** Work done, in the report type's unit: rows written (records scanned for aggregates such as popularity). */
  processedRows: number;
  /** The total of that unit when the type can count it cheaply. */
  totalRows: number | null;
  /** 0-100, one decimal, when the total is known. */
  percent: number | null;
  /** Estimated seconds until done, from the rate so far, when the total is known. */
  etaSeconds: number | null;
  /** A chunked export only: chunks finished and chunks in all. */
  chunks?: { done: number; total: number };
}

export const NO_PROGRESS: Progress = { processedRows: 0, totalRows: null, percent: null, etaSeconds: null };

export interface ReportError {
  code: string;
  message: string;
}

/**
 * The report document in the `reports` container (partition key /tenantId). The export options
 * (`compression`, `columns`, `timeZone`) are stored only when the request gave them.
 */
export interface ReportDocument extends ExportOptions {
  id: string; // = reportId
  kind: 'report';
  tenantId: string;
  ownerId: string;
  reportType: string;
  format: string;
  parameters: Record<string, unknown>;
  /** Hash of (reportType, format, canonical parameters): finds an active report asking the same. */
  requestHash: string;
  idempotencyKey: string | null;
  status: ReportStatus;
  cancelRequested: boolean;
  progress: Progress;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  error: ReportError | null;
  rowCount: number | null;
  /** The format's row cap (PDF) cut the file short: the source had more rows than `rowCount`. */
  truncated?: boolean;
  /** What the user should know about a completed export, e.g. that it matched no rows. */
  warnings?: string[];
  sizeBytes: number | null;
  fileName: string | null;
  blobName: string | null;
  correlationId: string;
  /** W3C `traceparent` of the request that asked for the report: its export joins that trace. */
  traceparent?: string;
  /** Processing attempts so far: each claim by a worker counts one. */
  attempts: number;
  /** Times the watchdog sent the report's work again because it had stopped moving (reconcile.ts). */
  redrives?: number;
  /**
   * ISO time the watchdog last sent the report's work again; cleared when a worker claims the report. While
   * it is set, the report holds no place: its user's quota and its tenant's share do not count it (a
   * stranded report must not block the work behind it for longer than the grace period).
   */
  redrivenAt?: string | null;
  /**
   * ISO time the watchdog's re-drive pass last found this report fine though unwritten for the grace
   * period (waiting its tenant's turn, or its chunks moving); the write keeps it out of the pass for
   * another grace period (reconcile.ts).
   */
  checkedAt?: string;
  /** The worker holding the claim while Processing (null otherwise). */
  leaseOwner?: string | null;
  /** ISO time the claim lapses unless the worker's heartbeat renews it. */
  leaseExpiresAt?: string | null;
  /** Seconds; set when the report becomes terminal (retention). */
  ttl?: number;
  /** The header of a chunked export's plan (see ./chunks.ts), once planned; absent for a single pass. */
  chunkPlan?: ChunkPlanHeader | null;
}

/** The lease of a claim (a report's or a chunk's) is still running at `now`. */
/**
 * The `leaseOwner` of a chunked export whose planner or committer stopped and which the watchdog sent
 * again: no worker's claim (so a stopped worker's late writes fail), but one to take over, unlike a
 * chunked export under way, which has no owner at all while its chunks run.
 */
export const AWAITING_TAKEOVER = 'awaiting-takeover';

export function isLeaseAlive(
  doc: { status: string; leaseExpiresAt?: string | null | undefined },
  now: Date,
): boolean {
  return (
    doc.status === 'Processing' &&
    typeof doc.leaseExpiresAt === 'string' &&
    doc.leaseExpiresAt > now.toISOString()
  );
}

/** An outbox message in the same container and partition as its report, written in the same batch. */
export interface OutboxDocument {
  id: string;
  kind: 'outbox';
  tenantId: string;
  reportId: string;
  /** `ReportEvent`: a terminal transition's event, for the events queue (see ./webhooks.ts). */
  messageType: 'ExportRequested' | 'ExportChunkRequested' | 'ReportEvent';
  payload: ExportRequest | ChunkRequest | ReportEventMessage;
  correlationId: string;
  /** W3C `traceparent` the relay continues (sent in the message's application properties). */
  traceparent?: string;
  createdAt: string;
  dispatchedAt: string | null;
  attempts: number;
  lastError: string | null;
  ttl?: number;
}

/** The body of the `ExportRequested` message for `report` (the outbox's, and a deferral's). */
export function exportRequestPayload(report: ReportDocument): ExportRequest {
  return {
    tenantId: report.tenantId,
    reportId: report.id,
    reportType: report.reportType,
    format: report.format,
  };
}

/** The `ExportRequested` outbox message for `report`, in its partition. */
export function exportRequested(report: ReportDocument, id: string, createdAt: string): OutboxDocument {
  return {
    id,
    kind: 'outbox',
    tenantId: report.tenantId,
    reportId: report.id,
    messageType: 'ExportRequested',
    payload: exportRequestPayload(report),
    correlationId: report.correlationId,
    ...(report.traceparent ? { traceparent: report.traceparent } : {}),
    createdAt,
    dispatchedAt: null,
    attempts: 0,
    lastError: null,
  };
}

/** The `ExportChunkRequested` outbox message for chunk `chunkIndex` of plan `planId` of `report`. */
export function chunkRequested(
  report: ReportDocument,
  planId: number,
  chunkIndex: number,
  id: string,
  createdAt: string,
): OutboxDocument {
  const base = exportRequested(report, id, createdAt);
  return { ...base, messageType: 'ExportChunkRequested', payload: { ...base.payload, planId, chunkIndex } };
}

/** The document fields the API shows as they are. */
export const RESOURCE_FIELDS = [
  'reportType',
  'format',
  'parameters',
  'status',
  'cancelRequested',
  'progress',
  'createdAt',
  'startedAt',
  'completedAt',
  'error',
  'rowCount',
  'sizeBytes',
  'fileName',
] as const satisfies readonly (keyof ReportDocument)[];

/** The fields a list of reports reads: those the resource shows, and nothing else. */
export const SUMMARY_FIELDS = [
  'id',
  ...RESOURCE_FIELDS,
  'truncated',
  'warnings',
  'compression',
  'columns',
  'timeZone',
] as const satisfies readonly (keyof ReportDocument)[];

/** A report as the API shows it, without a download link (the resource's fields, and an event's data). */
export type ReportView = Pick<ReportDocument, (typeof RESOURCE_FIELDS)[number]> & {
  reportId: string;
  truncated: boolean;
  /** What the user should know about the export (e.g. that it matched no rows); empty when nothing. */
  warnings: string[];
  compression: 'gzip' | null;
  /** The chosen columns, or null for all of the type's. */
  columns: string[] | null;
  timeZone: string;
};

/** The fields of `report` the API shows, under their API names. */
export function reportView(report: ReportSummary): ReportView {
  const shown = Object.fromEntries(RESOURCE_FIELDS.map((field) => [field, report[field]])) as Pick<
    ReportDocument,
    (typeof RESOURCE_FIELDS)[number]
  >;
  return {
    reportId: report.id,
    ...shown,
    truncated: report.truncated ?? false,
    warnings: report.warnings ?? [],
    compression: report.compression ?? null,
    columns: report.columns ?? null,
    timeZone: report.timeZone ?? 'UTC',
  };
}

/** A report as a list page holds it. */
export type ReportSummary = Pick<ReportDocument, (typeof SUMMARY_FIELDS)[number]>;

/** `report` cut down to its summary. */
export const summaryOf = (report: ReportSummary): ReportSummary =>
  Object.fromEntries(
    SUMMARY_FIELDS.filter((field) => report[field] !== undefined).map((field) => [field, report[field]]),
  ) as ReportSummary;
