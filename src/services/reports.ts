// Report use cases: create (report + outbox in one batch), read, list, cancel. Tenancy and ownership are
// enforced here: another tenant's report, or another user's for a non-admin, does not exist.
import { createHash, randomUUID } from 'node:crypto';
import { blobNameFor } from '../domain/blob-name';
import { chunkedProgress } from '../domain/chunks';
import { messageIds } from '../domain/message-ids';
import type { Principal } from '../domain/principal';
import {
  exportRequested,
  isTerminal,
  NO_PROGRESS,
  transition,
  type ReportDocument,
  type ReportStatus,
  type ReportSummary,
} from '../domain/report';
import { builtInReportTypes, createRequestSchema, type ReportTypeRegistry } from '../domain/report-types';
import { storedOptions } from '../domain/export-options';
import { requestHash, validate } from '../domain/validation';
import type {
  ChunkStore,
  DownloadLink,
  DownloadLinks,
  ReportListFilter,
  ReportPage,
  ReportStore,
} from './ports';

const REPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ReportServiceOptions {
  store: ReportStore;
  /** The chunks of chunked exports: a running one's progress is summed from them when it is read. */
  chunks?: Pick<ChunkStore, 'tally'>;
  downloads: DownloadLinks;
  /** Seconds a terminal report is kept (Cosmos TTL). */
  retentionSeconds: number;
  /** Active (Pending/Processing) reports one user may have at once; 20 unless told. */
  userMaxActiveReports?: number;
  /** Exports one tenant may have Processing at once (0: no cap); shown here, enforced by the worker. */
  tenantMaxActiveExports?: number;
  /** The report types a request may name (default: the built-in types). */
  reportTypes?: ReportTypeRegistry;
  now?: () => Date;
  newId?: () => string;
}

export type CreateResult =
  | { kind: 'created'; report: ReportDocument }
  | { kind: 'replayed'; report: ReportDocument }
  | { kind: 'unknown-type'; reportType: string }
  | { kind: 'invalid'; errors: Record<string, string[]> }
  | { kind: 'duplicate'; existingReportId: string }
  | { kind: 'quota-exceeded'; limit: number; active: number }
  | { kind: 'idempotency-mismatch' };

export interface Limits {
  userMaxActiveReports: number;
  /** The caller's active (Pending/Processing) reports now. */
  activeReports: number;
  tenantMaxActiveExports: number;
}

export type DownloadResult =
  { kind: 'ok'; link: DownloadLink } | { kind: 'not-found' } | { kind: 'not-ready'; status: ReportStatus };

export type CancelResult =
  | { kind: 'cancelled' | 'cancel-requested'; report: ReportDocument }
  | { kind: 'not-found' }
  | { kind: 'terminal'; status: ReportStatus };

export interface CreateInput {
  reportType: string;
  body: unknown;
  idempotencyKey?: string;
  correlationId: string;
  /** The W3C `traceparent` of the request's span, carried to the worker through the outbox. */
  traceparent?: string;
}

export function createReportService(options: ReportServiceOptions) {
  const { store, retentionSeconds, downloads } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const userMaxActiveReports = options.userMaxActiveReports ?? 20;
  const tenantMaxActiveExports = options.tenantMaxActiveExports ?? 0;
  const reportTypes = options.reportTypes ?? builtInReportTypes;

  /** The report id for an Idempotency-Key: stable per tenant, user and key, so a retry hits the same doc. */
  const idFromKey = (principal: Principal, key: string): string => {
    const hex = createHash('sha256')
      .update(JSON.stringify([principal.tenantId, principal.userId, key]))
      .digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  };

  const visible = (principal: Principal, report: ReportDocument): boolean =>
    report.tenantId === principal.tenantId && (principal.isAdmin || report.ownerId === principal.userId);

  async function get(principal: Principal, reportId: string) {
    // Report ids are UUID-shaped (random or derived from an Idempotency-Key); anything else names no
    // report, and must not reach the store (Cosmos ids cannot hold '/', '\\', '?' or '#').
    if (!REPORT_ID.test(reportId)) return undefined;
    const stored = await store.get(principal.tenantId, reportId);
    return stored && visible(principal, stored.doc) ? stored : undefined;
  }

  /**
   * The report with its live progress: a running chunked export's progress is what its chunks say now
   * (rows of running chunks included), read from their documents, never written on the report.
   */
  async function live(report: ReportDocument): Promise<ReportDocument> {
    const plan = report.chunkPlan;
    if (report.status !== 'Processing' || !plan || !options.chunks) return report;
    const tally = await options.chunks.tally(report.tenantId, report.id, plan.planId);
    const startedMs = Date.parse(report.startedAt ?? report.createdAt);
    return { ...report, progress: chunkedProgress(plan, tally, startedMs, now().getTime()) };
  }

  async function linkFor(report: ReportDocument): Promise<DownloadLink | undefined> {
    if (report.status !== 'Completed' || !report.blobName || !report.fileName) return undefined;
    return downloads.create(report.blobName, report.fileName);
  }

  return {
    async create(principal: Principal, input: CreateInput): Promise<CreateResult> {
      const type = reportTypes.get(input.reportType);
      if (!type) return { kind: 'unknown-type', reportType: input.reportType };
      const request = validate(createRequestSchema(type), input.body);
      if (!request.ok) return { kind: 'invalid', errors: request.errors };
      const { format, parameters: params } = request.data;
      const options = storedOptions(request.data);
      const hash = requestHash(type.name, format, params, { ...options });

      const reportId = input.idempotencyKey ? idFromKey(principal, input.idempotencyKey) : newId();
      if (input.idempotencyKey) {
        const existing = await store.get(principal.tenantId, reportId);
        if (existing) {
          return existing.doc.requestHash === hash
            ? { kind: 'replayed', report: existing.doc }
            : { kind: 'idempotency-mismatch' };
        }
      }
      const active = await store.findActive(principal.tenantId, principal.userId, hash);
      if (active) return { kind: 'duplicate', existingReportId: active.id };
      // Like the duplicate check, a count then a write: requests of one user that arrive together can
      // pass it together and end a few over the limit. The quota bounds a user's share; it is no lock.
      const activeCount = await store.countActive(principal.tenantId, principal.userId);
      if (activeCount >= userMaxActiveReports) {
        return { kind: 'quota-exceeded', limit: userMaxActiveReports, active: activeCount };
      }

      const createdAt = now().toISOString();
      const report: ReportDocument = {
        id: reportId,
        kind: 'report',
        tenantId: principal.tenantId,
        ownerId: principal.userId,
        reportType: type.name,
        format,
        parameters: params,
        ...options,
        requestHash: hash,
        idempotencyKey: input.idempotencyKey ?? null,
        status: 'Pending',
        cancelRequested: false,
        progress: { ...NO_PROGRESS },
        createdAt,
        startedAt: null,
        completedAt: null,
        error: null,
        rowCount: null,
        sizeBytes: null,
        fileName: null,
        blobName: null,
        correlationId: input.correlationId,
        ...(input.traceparent ? { traceparent: input.traceparent } : {}),
        attempts: 0,
        leaseOwner: null,
        leaseExpiresAt: null,
      };
      const outbox = exportRequested(report, messageIds.request(reportId), createdAt);
      const written = await store.createWithOutbox(report, outbox);
      if (written === 'conflict') {
        // Two requests with the same Idempotency-Key raced; the other one won.
        const winner = await store.get(principal.tenantId, reportId);
        if (winner?.doc.requestHash === hash) return { kind: 'replayed', report: winner.doc };
        return { kind: 'idempotency-mismatch' };
      }
      return { kind: 'created', report };
    },

    /** The limits that apply to the caller, with the caller's use of them. */
    async limits(principal: Principal): Promise<Limits> {
      return {
        userMaxActiveReports,
        activeReports: await store.countActive(principal.tenantId, principal.userId),
        tenantMaxActiveExports,
      };
    },

    async get(principal: Principal, reportId: string): Promise<ReportDocument | undefined> {
      const report = (await get(principal, reportId))?.doc;
      return report && live(report);
    },

    /** The report with a fresh download link when it is Completed. */
    async view(
      principal: Principal,
      reportId: string,
    ): Promise<{ report: ReportDocument; link?: DownloadLink } | undefined> {
      const found = (await get(principal, reportId))?.doc;
      if (!found) return undefined;
      const report = await live(found);
      const link = await linkFor(report);
      return link ? { report, link } : { report };
    },

    /** A fresh link to a Completed report's file. */
    async download(principal: Principal, reportId: string): Promise<DownloadResult> {
      const report = (await get(principal, reportId))?.doc;
      if (!report) return { kind: 'not-found' };
      const link = await linkFor(report);
      return link ? { kind: 'ok', link } : { kind: 'not-ready', status: report.status };
    },

    /** A page of reports, each Completed one with a fresh download link, as `view` gives it. */
    async list(
      principal: Principal,
      filter: Omit<ReportListFilter, 'ownerId'>,
      pageSize: number,
      continuationToken?: string,
    ): Promise<Omit<ReportPage, 'items'> & { items: { report: ReportSummary; link?: DownloadLink }[] }> {
      const scoped: ReportListFilter = principal.isAdmin ? filter : { ...filter, ownerId: principal.userId };
      const page = await store.list(principal.tenantId, scoped, pageSize, continuationToken);
      const items = await Promise.all(
        page.items.map(async (report) => {
          if (report.status !== 'Completed' || !report.fileName) return { report };
          const blobName = blobNameFor({ tenantId: principal.tenantId, id: report.id }, report.fileName);
          return { report, link: await downloads.create(blobName, report.fileName) };
        }),
      );
      return { items, continuationToken: page.continuationToken };
    },

    async cancel(principal: Principal, reportId: string): Promise<CancelResult> {
      // Retry on a concurrent change (the worker updating progress): the etag guards every write.
      for (let attempt = 0; attempt < 5; attempt++) {
        const stored = await get(principal, reportId);
        if (!stored) return { kind: 'not-found' };
        const report = stored.doc;
        // Answered before any write: the state machine below is a safety net, not the 409.
        if (isTerminal(report.status)) return { kind: 'terminal', status: report.status };
        // Pending ends at once; a Processing report only gets the request (its status is the worker's).
        const next: ReportDocument =
          report.status === 'Pending'
            ? transition(report, 'Cancelled', {
                cancelRequested: true,
                completedAt: now().toISOString(),
                ttl: retentionSeconds,
              })
            : { ...report, cancelRequested: true };
        const result = await store.replace(next, stored.etag);
        if (result !== 'conflict') {
          return { kind: next.status === 'Cancelled' ? 'cancelled' : 'cancel-requested', report: result.doc };
        }
      }
      throw new Error(`report ${reportId}: too many concurrent changes while cancelling`);
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
