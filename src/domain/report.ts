// The report model: documents as stored, the status state machine, and the public resource shape.
// Knows nothing of Azure SDKs.

export const REPORT_STATUSES = ['Pending', 'Processing', 'Completed', 'Failed', 'Cancelled'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const ACTIVE_STATUSES: readonly ReportStatus[] = ['Pending', 'Processing'];
export const TERMINAL_STATUSES: readonly ReportStatus[] = ['Completed', 'Failed', 'Cancelled'];

export const isTerminal = (status: ReportStatus): boolean => TERMINAL_STATUSES.includes(status);

const TRANSITIONS: Record<ReportStatus, readonly ReportStatus[]> = {
  Pending: ['Processing', 'Cancelled', 'Failed'],
  Processing: ['Completed', 'Failed', 'Cancelled'],
  Completed: [],
  Failed: [],
  Cancelled: [],
};

export const canTransition = (from: ReportStatus, to: ReportStatus): boolean =>
  TRANSITIONS[from].includes(to);

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: ReportStatus,
    readonly to: ReportStatus,
  ) {
    super(`a report cannot go from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export interface Progress {
  processedRows: number;
  totalRows: number | null;
  percent: number | null;
}

export interface ReportError {
  code: string;
  message: string;
}

/** The report document in the `reports` container (partition key /tenantId). */
export interface ReportDocument {
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
  sizeBytes: number | null;
  fileName: string | null;
  blobName: string | null;
  correlationId: string;
  attempts: number;
  /** Seconds; set when the report becomes terminal (retention). */
  ttl?: number;
}

/** An outbox message in the same container and partition as its report, written in the same batch. */
export interface OutboxDocument {
  id: string;
  kind: 'outbox';
  tenantId: string;
  reportId: string;
  messageType: 'ExportRequested';
  payload: { tenantId: string; reportId: string; reportType: string; format: string };
  correlationId: string;
  createdAt: string;
  dispatchedAt: string | null;
  attempts: number;
  lastError: string | null;
  ttl?: number;
}

/** The document fields the API shows as they are. */
const RESOURCE_FIELDS = [
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

/** What the API returns for a report. */
export interface ReportResource extends Pick<ReportDocument, (typeof RESOURCE_FIELDS)[number]> {
  reportId: string;
  downloadUrl: string | null;
  downloadExpiresAt: string | null;
}

export function toResource(
  report: ReportDocument,
  download?: { url: string; expiresAt: string },
): ReportResource {
  const shown = Object.fromEntries(RESOURCE_FIELDS.map((field) => [field, report[field]])) as Pick<
    ReportDocument,
    (typeof RESOURCE_FIELDS)[number]
  >;
  return {
    reportId: report.id,
    ...shown,
    downloadUrl: download?.url ?? null,
    downloadExpiresAt: download?.expiresAt ?? null,
  };
}
